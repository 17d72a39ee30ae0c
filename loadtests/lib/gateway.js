// Connecting to the gateway from k6: where it is, how to authenticate, and the one place JSON is sent.
import { check } from 'k6';
import { WebSocket } from 'k6/websockets';
import { Counter } from 'k6/metrics';
import { parseServerFrame } from './messages.js';

const GATEWAY_URL = __ENV.LOAD_URL || 'ws://127.0.0.1:8080/ws/s2s';
export const LANG = __ENV.LOAD_LANG || 'en';
/** A turn that has not ended this long after its input counts as an error and the session is closed. */
export const TURN_TIMEOUT_MS = Number(__ENV.LOAD_TURN_TIMEOUT_MS || 20000);

/** Error replies, socket errors and turns that timed out, tagged with `kind` (and `code` for replies). */
export const gatewayErrors = new Counter('s2s_errors');

/**
 * Opens `/ws/s2s` with the API key (if any) in the Authorization header, where proxies and access logs do not
 * record it as they do a URL; binary frames as ArrayBuffer.
 */
export function openGateway() {
  const key = __ENV.LOAD_API_KEY;
  const ws = new WebSocket(GATEWAY_URL, null, key ? { headers: { Authorization: `Bearer ${key}` } } : null);
  ws.binaryType = 'arraybuffer';
  ws.onerror = () => gatewayErrors.add(1, { kind: 'socket' });
  return ws;
}

/**
 * Sends one protocol message; build it with lib/messages.js.
 * @param {WebSocket} ws
 * @param {import('./messages.js').ClientMessage} message
 */
export function sendMessage(ws, message) {
  ws.send(JSON.stringify(message));
}

/**
 * Counts an `error` reply; true when the gateway said the session cannot go on.
 * @param {{ [field: string]: unknown }} message
 */
export function countErrorReply(message) {
  gatewayErrors.add(1, { kind: 'reply', code: String(message.code) });
  return message.recoverable === false;
}

/**
 * Checks every received frame: audio is whole PCM16 samples, text is a protocol v1 message with a type (an `error`
 * with its code). Returns the text message, or undefined for audio and for a frame that failed its check.
 * @param {unknown} data a frame as k6 delivers it (binary ones as ArrayBuffer: openGateway sets binaryType)
 */
export function checkFrame(data) {
  if (typeof data !== 'string') {
    check(data, { 'audio frame holds whole PCM16 samples': (d) => d instanceof ArrayBuffer && d.byteLength > 0 && d.byteLength % 2 === 0 });
    return undefined;
  }
  const message = parseServerFrame(data);
  check(message, {
    'text frame is a protocol v1 message': (m) => m !== undefined,
    'an error reply carries its code': (m) => m?.type !== 'error' || typeof m.code === 'string',
  });
  return message;
}
