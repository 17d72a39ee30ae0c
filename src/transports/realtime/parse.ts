import { GatewayError } from '../../core/errors.ts';
import { CLIENT_EVENT_TYPES, UNSUPPORTED_EVENTS, clientEventSchema, type ClientEvent } from './messages.ts';

export type ParsedEvent =
  | { ok: true; event: ClientEvent }
  | { ok: false; error: GatewayError; eventId: string | undefined; param?: string | undefined };

const KNOWN_TYPES = new Set<string>(CLIENT_EVENT_TYPES);

/** Validates one client event at the edge; the error names the offending event and field. */
export function parseClientEvent(data: Buffer | string): ParsedEvent {
  let json: unknown;
  try {
    json = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
  } catch {
    return { ok: false, error: new GatewayError('bad_json', 'client events are JSON objects'), eventId: undefined };
  }
  const object = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  const eventId = typeof object?.event_id === 'string' ? object.event_id : undefined;
  const type = object?.type;
  if (typeof type !== 'string') {
    return { ok: false, error: new GatewayError('invalid_message', 'a client event is a JSON object with a string "type"'), eventId, param: 'type' };
  }
  const unsupported = UNSUPPORTED_EVENTS[type];
  if (unsupported) return { ok: false, error: new GatewayError('unknown_type', unsupported), eventId, param: 'type' };
  if (!KNOWN_TYPES.has(type)) {
    return { ok: false, error: new GatewayError('unknown_type', `unknown client event type "${type.slice(0, 64)}"`), eventId, param: 'type' };
  }
  const result = clientEventSchema.safeParse(json);
  if (result.success) return { ok: true, event: result.data };
  const issue = result.error.issues[0];
  const param = issue?.path.join('.') || undefined;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
  return { ok: false, error: new GatewayError('invalid_message', `${type}: ${problems}`), eventId, param };
}
