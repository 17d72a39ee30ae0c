// Connecting to the gateway from k6: where it is, how to authenticate, and the one place JSON is sent.
import { WebSocket } from 'k6/websockets';
import { Counter } from 'k6/metrics';

const GATEWAY_URL = __ENV.S2S_URL || 'ws://127.0.0.1:8080/ws/s2s';
export const LANG = __ENV.S2S_LANG || 'en';
/** A turn that has not ended this long after its input counts as an error and the session is closed. */
export const TURN_TIMEOUT_MS = Number(__ENV.S2S_TURN_TIMEOUT_MS || 20000);

/** Error replies, socket errors and turns that timed out, tagged with `kind` (and `code` for replies). */
export const gatewayErrors = new Counter('s2s_errors');

/** Opens `/ws/s2s` with the API key (if any) as the `token` query parameter; binary frames as ArrayBuffer. */
export function openGateway() {
  const key = __ENV.S2S_API_KEY;
  const url = key ? `${GATEWAY_URL}${GATEWAY_URL.includes('?') ? '&' : '?'}token=${encodeURIComponent(key)}` : GATEWAY_URL;
  const ws = new WebSocket(url);
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
