import type { FastifyInstance } from 'fastify';
import type { Runtime } from './runtime.ts';

/** The end of the grace kept for the close handshakes: a quarter of it, at most this long. */
const MAX_CLOSE_HANDSHAKE_MS = 2_000;
const POLL_MS = 50;

/**
 * A gentle stop within `graceMs`, for a rolling restart behind a load balancer:
 * 1. at once, `/ready` says 503 and new sessions are refused with `shutting_down` (close code 1012);
 * 2. running turns finish, until the grace less the close handshake's share;
 * 3. every session ends with `shutting_down` (1012: connect again and resume the session on another replica);
 * 4. at the end of the grace, peers that have not finished the close handshake are cut off.
 * The listener stays open until then, so probes and refused clients get answers rather than connection errors.
 */
export async function drainGateway(app: FastifyInstance, runtime: Runtime, graceMs: number): Promise<void> {
  const { admission, sessions, log } = runtime;
  const end = performance.now() + graceMs;
  admission.drain();
  log.info({ sessions: sessions.size, graceMs }, 'draining');
  const handshakeMs = Math.min(MAX_CLOSE_HANDSHAKE_MS, graceMs / 4);
  await sessions.turnsFinished(AbortSignal.timeout(Math.max(0, graceMs - handshakeMs)));
  await sessions.endAll('shutting_down', 'the gateway is restarting: connect again to resume the session');
  const clients = app.websocketServer.clients;
  while (clients.size > 0 && performance.now() < end) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  if (clients.size > 0) log.warn({ peers: clients.size }, 'peers ignored the close handshake; cut off at the end of the grace');
  for (const socket of clients) socket.terminate();
  log.info('drained');
}
