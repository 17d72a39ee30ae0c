import type { Context } from '@opentelemetry/api';
import type { FastifyRequest } from 'fastify';
import type { SessionSink } from '../session/events.ts';
import type { Session } from '../session/session.ts';

/** What the gateway hands a transport: the way to open sessions, and the credentials check. */
export interface TransportDeps {
  /** A new session speaking to `sink`, or GatewayError('too_many_sessions'). */
  openSession(sink: SessionSink, trace: Context): Session;
  /** Whether a request carries a valid API key; undefined when no keys are configured. */
  keyCheck: ((request: FastifyRequest) => boolean) | undefined;
}
