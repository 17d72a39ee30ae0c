import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { createKeyCheck } from '../transports/auth.ts';
import type { TransportDeps } from '../transports/deps.ts';
import { operations } from '../transports/operations.ts';
import { realtime } from '../transports/realtime/route.ts';
import { protocolV1 } from '../transports/v1/route.ts';
import { webClient } from '../transports/web/plugin.ts';
import type { Runtime } from './runtime.ts';

/**
 * The gateway as a Fastify app: operations routes and every transport over one runtime. It does not listen; with
 * `https` (PEM key and certificate) it will serve TLS.
 */
export async function buildApp(runtime: Runtime, https?: { key: Buffer; cert: Buffer }): Promise<FastifyInstance> {
  const { config } = runtime;
  const app = Fastify({
    ...(https && { https }),
    loggerInstance: runtime.log as FastifyBaseLogger,
    // Scrapes and probes every few seconds would drown the log; sessions log what matters themselves.
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
  });

  await app.register(websocket, {
    options: { maxPayload: config.limits.maxFrameBytes },
    errorHandler: socketErrorHandler(),
    // Replaces the plugin's own close-everything: interrupted turns still send their ends, then clients learn why
    // the connection ends.
    preClose: () => runtime.sessions.endAll('shutting_down', 'the gateway is shutting down'),
  });

  const deps: TransportDeps = {
    openSession: (sink, trace) => runtime.sessions.open(sink, trace),
    keyCheck: createKeyCheck(config.server.apiKeys),
  };
  await app.register(operations(runtime));
  await app.register(protocolV1(deps));
  await app.register(realtime(deps, config.vad));
  await app.register(webClient({ keyCheck: deps.keyCheck, voices: runtime.voices, voiceLanguages: runtime.voices.languages }));
  return app;
}

/**
 * A peer's fault on a WebSocket (an oversized frame, a reset) is logged once per connection at warn, without a
 * stack: a client sending junk must not flood the log. Anything else is the gateway's own bug and logged in full.
 */
function socketErrorHandler() {
  const reported = new WeakSet<object>();
  return (error: Error & { code?: string }, socket: WebSocket, request: FastifyRequest): void => {
    const peersFault = typeof error.code === 'string' && (error.code.startsWith('WS_ERR_') || /^E[A-Z]+$/.test(error.code));
    if (!peersFault) request.log.error({ err: error }, 'websocket handler failed');
    else if (!reported.has(socket)) request.log.warn({ code: error.code, reason: error.message }, 'websocket connection failed');
    reported.add(socket);
    socket.terminate();
  };
}
