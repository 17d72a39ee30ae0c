import { GatewayError } from '../../core/errors.ts';
import { CLIENT_MESSAGE_TYPES, clientMessageSchema, type ClientMessage } from './messages.ts';

export type ParsedFrame = { ok: true; message: ClientMessage } | { ok: false; error: GatewayError };

const KNOWN_TYPES = new Set<string>(CLIENT_MESSAGE_TYPES);

/** Validates one client text frame at the edge; the error says exactly what is wrong. */
export function parseClientFrame(data: Buffer | string): ParsedFrame {
  let json: unknown;
  try {
    json = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch {
    return { ok: false, error: new GatewayError('bad_json', 'text frames must be JSON objects') };
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (typeof json !== 'object' || json === null || Array.isArray(json) || typeof type !== 'string') {
    return { ok: false, error: new GatewayError('invalid_message', 'a message is a JSON object with a string "type"') };
  }
  if (!KNOWN_TYPES.has(type)) {
    return { ok: false, error: new GatewayError('unknown_type', `unknown message type "${type.slice(0, 64)}"; expected one of ${[...KNOWN_TYPES].join(', ')}`) };
  }
  const result = clientMessageSchema.safeParse(json);
  if (result.success) return { ok: true, message: result.data };
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ');
  return { ok: false, error: new GatewayError('invalid_message', `${type}: ${problems}`) };
}
