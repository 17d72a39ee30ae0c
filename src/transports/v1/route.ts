import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, type SessionEndCode } from '../../core/errors.ts';
import { extractParentFromHeaders } from '../../observability/tracing.ts';
import type { Session } from '../../session/session.ts';
import type { TransportDeps } from '../deps.ts';
import { V1Channel } from './channel.ts';
import { CLOSE_CODES } from './close-codes.ts';
import { toSessionOptions } from './codec.ts';
import type { ClientMessage, SessionStart } from './messages.ts';
import { parseClientFrame } from './parse.ts';

export const V1_PATH = '/ws/s2s';

/**
 * Protocol v1 at `/ws/s2s`: JSON control messages and binary PCM16 audio over one WebSocket, one session per
 * connection. The session (and its slot) exists from the first `session_start` that succeeds; a connection that
 * has none after `handshakeTimeoutMs` is closed, pings or not. Needs @fastify/websocket registered first.
 */
export function protocolV1(deps: TransportDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(V1_PATH, { websocket: true, preValidation: requireKey(deps) }, (socket, request) => {
      const channel = new V1Channel(socket);
      const owner = deps.ownerOf(request);
      const trace = extractParentFromHeaders(request.headers);
      const handshake = setTimeout(
        () => channel.close(CLOSE_CODES.handshake_timeout, `no session started within ${deps.handshakeTimeoutMs} ms`),
        deps.handshakeTimeoutMs,
      );
      let session: Session | undefined;
      const startSession = async (start: SessionStart): Promise<void> => {
        let opened: Session;
        try {
          opened = deps.openSession(channel, trace, owner);
        } catch (err) {
          const error = GatewayError.from(err);
          if (error.recoverable) throw err;
          return channel.close(CLOSE_CODES[error.code as SessionEndCode], error.message);
        }
        await opened.start(toSessionOptions(start));
        // A refused start (its error sent) keeps no slot; the client may try again until the handshake times out.
        if (opened.id === undefined) return opened.end();
        clearTimeout(handshake);
        session = opened;
      };
      // Frames are handled one after another: audio sent right after session_start waits for the start to finish.
      let queue = Promise.resolve();
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        queue = queue.then(() => (session ? receive(session, channel, data, isBinary) : beforeStart(channel, data, isBinary, startSession)));
      });
      socket.on('close', () => {
        clearTimeout(handshake);
        // A session still starting is ended once its start is through.
        if (session) void session.end();
        else void queue.then(() => session?.end());
      });
    });
  };
}

/** A frame on a connection without a session: only `session_start` (and `ping`) mean anything yet. */
async function beforeStart(channel: V1Channel, data: Buffer, isBinary: boolean, start: (message: SessionStart) => Promise<void>): Promise<void> {
  const parsed = isBinary ? undefined : parseClientFrame(data);
  if (parsed && !parsed.ok) return channel.event({ type: 'error', error: parsed.error });
  const message = parsed?.message;
  if (message?.type === 'session_start') return start(message);
  // A ping is answered but does not keep a connection without a session past the handshake timeout.
  if (message?.type === 'ping') return channel.send({ type: 'pong' });
  channel.event({ type: 'error', error: new GatewayError('not_started', 'start the session with session_start first') });
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
