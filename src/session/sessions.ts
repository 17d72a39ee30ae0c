import type { Context } from '@opentelemetry/api';
import { GatewayError, type SessionEndCode } from '../core/errors.ts';
import type { SessionSink } from './events.ts';
import type { Session } from './session.ts';

/** Opens a session speaking to `sink`; `trace` is the client's trace context, the parent of its spans. */
export type SessionFactory = (sink: SessionSink, trace: Context) => Session;

/** The live sessions of this process, whatever door they came through: their number is limited, and they end together. */
export class Sessions {
  readonly #live = new Set<Session>();
  readonly #max: number;
  readonly #create: SessionFactory;

  constructor(maxSessions: number, create: SessionFactory) {
    this.#max = maxSessions;
    this.#create = create;
  }

  get size(): number {
    return this.#live.size;
  }

  /** A new session, or GatewayError('too_many_sessions') when `limits.maxSessions` are open. */
  open(sink: SessionSink, trace: Context): Session {
    if (this.#live.size >= this.#max) throw new GatewayError('too_many_sessions', `the gateway is at its limit of ${this.#max} sessions`);
    const session = this.#create(sink, trace);
    this.#live.add(session);
    void session.ended.then(() => this.#live.delete(session));
    return session;
  }

  /** Ends every session, saying why; running turns end first, so clients get their answers' ends. */
  async endAll(code: SessionEndCode, message: string): Promise<void> {
    await Promise.all([...this.#live].map((session) => session.end(code, message)));
  }
}
