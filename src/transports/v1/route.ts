import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, type SessionEndCode } from '../../core/errors.ts';
import { extractParentFromHeaders } from '../../observability/tracing.ts';
import type { Session } from '../../session/session.ts';
import type { TransportDeps } from '../deps.ts';
import { V1Channel } from './channel.ts';
import { CLOSE_CODES } from './close-codes.ts';
import { toSessionOptions } from './codec.ts';
import type { ClientMessage } from './messages.ts';
import { parseClientFrame } from './parse.ts';

export const V1_PATH = '/ws/s2s';

/**
 * Protocol v1 at `/ws/s2s`: JSON control messages and binary PCM16 audio over one WebSocket, one session per
 * connection. Needs @fastify/websocket registered first.
 */
export function protocolV1(deps: TransportDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(V1_PATH, { websocket: true, preValidation: requireKey(deps) }, (socket, request) => {
      const channel = new V1Channel(socket);
      let session: Session;
      try {
        session = deps.openSession(channel, extractParentFromHeaders(request.headers));
      } catch (err) {
        const error = GatewayError.from(err);
        if (error.recoverable) throw err;
        return channel.close(CLOSE_CODES[error.code as SessionEndCode], error.message);
      }
      // Frames are handled one after another: audio sent right after session_start waits for the start to finish.
      let queue = Promise.resolve();
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        queue = queue.then(() => receive(session, channel, data, isBinary));
      });
      socket.on('close', () => void session.end());
    });
  };
}

async function receive(session: Session, channel: V1Channel, data: Buffer, isBinary: boolean): Promise<void> {
  if (isBinary) return session.audio(data);
  const parsed = parseClientFrame(data);
  if (!parsed.ok) return session.reject(parsed.error);
  await dispatch(session, channel, parsed.message);
}

function dispatch(session: Session, channel: V1Channel, message: ClientMessage): Promise<void> | void {
  switch (message.type) {
    case 'ping':
      session.keepAlive();
      return channel.send({ type: 'pong' });
    case 'session_start':
      return session.start(toSessionOptions(message));
    case 'text_input':
      return session.text(message.text);
    case 'interrupt':
      return session.interrupt();
    case 'audio_end':
      return session.audioEnd();
    case 'playback':
      return session.played(message.turn_id, message.played_ms);
  }
}

/** Refuses the upgrade with 401 when API keys are configured and the request has none of them. */
export function requireKey(deps: Pick<TransportDeps, 'keyCheck'>) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (deps.keyCheck && !deps.keyCheck(request)) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'a valid API key is required' });
    }
  };
}
