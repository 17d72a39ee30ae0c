import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { CLOSE_CODES } from '../core/errors.ts';
import { ClientChannel } from '../transports/v1/channel.ts';
import type { Session } from '../session/session.ts';
import { createKeyCheck } from '../transports/auth.ts';
import type { Runtime } from './runtime.ts';

export const WS_PATH = '/ws/s2s';

/** The gateway as a Fastify app: health, readiness, metrics and the protocol v1 WebSocket. It does not listen. */
export async function buildApp(runtime: Runtime): Promise<FastifyInstance> {
  const { config } = runtime;
  const app = Fastify({
    loggerInstance: runtime.log as FastifyBaseLogger,
    // Scrapes and probes every few seconds would drown the log; sessions log what matters themselves.
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
  });
  const sessions = new Set<Session>();

  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async (_request, reply) => {
    const readiness = runtime.readiness();
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });

  app.get('/metrics', async (request, reply) => {
    const { contentType, body } = await runtime.metrics.render(request.headers.accept);
    return reply.type(contentType).send(body);
  });

  await app.register(websocket, {
    options: { maxPayload: config.limits.maxFrameBytes },
    // Replaces the plugin's own close-everything: interrupted turns still send their response_end, then
    // clients learn why the connection ends.
    preClose: async () => {
      await Promise.all([...sessions].map((session) => session.close('goingAway', 'the gateway is shutting down')));
    },
  });

  const keyCheck = createKeyCheck(config.server.apiKeys);
  app.get(WS_PATH, {
    websocket: true,
    preValidation: async (request, reply) => {
      if (keyCheck && !keyCheck(request)) {
        await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'a valid API key is required' });
      }
    },
  }, (socket, request) => {
    const channel = new ClientChannel(socket);
    if (sessions.size >= config.limits.maxSessions) {
      channel.close(CLOSE_CODES.tooManySessions.code, `the gateway is at its limit of ${config.limits.maxSessions} sessions`);
      return;
    }
    const session = runtime.openSession(channel, request);
    sessions.add(session);
    // Frames are handled one after another so a session sees its messages in order.
    let queue = Promise.resolve();
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      queue = queue.then(() => session.receive(data, isBinary));
    });
    socket.on('close', () => {
      sessions.delete(session);
      void session.close();
    });
  });

  return app;
}
