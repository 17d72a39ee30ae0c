import type { Context } from '@opentelemetry/api';
import type { FastifyRequest } from 'fastify';
import type { SessionSink } from '../session/events.ts';
import type { Session } from '../session/session.ts';

/** What the gateway hands a transport: the way to open sessions, and the credentials check. */
export interface TransportDeps {
  /**
   * A new session speaking to `sink` and owned by `owner` (see `ownerOf`), or GatewayError('too_many_sessions' or
   * 'key_session_limit'). Open it when the client starts a session, not on connect: it holds a slot from then on.
   */
  openSession(sink: SessionSink, trace: Context, owner: string | undefined): Session;
  /** Whether a request carries a valid API key or client token; undefined when no keys are configured. */
  keyCheck: ((request: FastifyRequest) => boolean) | undefined;
  /** The id of the API key behind a request (itself or the client token it minted); undefined without keys. */
  ownerOf(request: FastifyRequest): string | undefined;
  /** A connection that has not started a session within this long is closed (`handshake_timeout`). */
  handshakeTimeoutMs: number;
}
