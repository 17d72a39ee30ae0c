import type { Context } from '@opentelemetry/api';
import { GatewayError, type SessionEndCode } from '../core/errors.ts';
import type { SessionSink } from './events.ts';
import type { Session } from './session.ts';

/**
 * Opens a session speaking to `sink`; `trace` is the client's trace context, the parent of its spans; `owner` the
 * id of the API key the client came with (undefined on a gateway without keys).
 */
export type SessionFactory = (sink: SessionSink, trace: Context, owner: string | undefined) => Session;

/**
 * The live sessions of this process, whatever door they came through: their number is limited, in all and per
 * API key, and they end together.
 */
export class Sessions {
  /** Each live session with the key that opened it. */
  readonly #live = new Map<Session, string | undefined>();
  readonly #max: number;
  readonly #maxPerKey: number;
  readonly #create: SessionFactory;

  constructor(limits: { maxSessions: number; maxSessionsPerKey: number }, create: SessionFactory) {
    this.#max = limits.maxSessions;
    this.#maxPerKey = limits.maxSessionsPerKey;
    this.#create = create;
  }

  get size(): number {
    return this.#live.size;
  }

  /**
   * A new session, or GatewayError('too_many_sessions') when `limits.maxSessions` are open, or
   * GatewayError('key_session_limit') when `owner` holds `access.maxSessionsPerKey`.
   */
  open(sink: SessionSink, trace: Context, owner?: string): Session {
    if (this.#live.size >= this.#max) throw new GatewayError('too_many_sessions', `the gateway is at its limit of ${this.#max} sessions`);
    if (owner !== undefined && this.#countOf(owner) >= this.#maxPerKey) {
      throw new GatewayError('key_session_limit', `this API key holds its limit of ${this.#maxPerKey} sessions`);
    }
    const session = this.#create(sink, trace, owner);
    this.#live.set(session, owner);
    void session.ended.then(() => this.#live.delete(session));
    return session;
  }

  /** Ends every session, saying why; running turns end first, so clients get their answers' ends. */
  async endAll(code: SessionEndCode, message: string): Promise<void> {
    await Promise.all([...this.#live.keys()].map((session) => session.end(code, message)));
  }

  #countOf(owner: string): number {
    let count = 0;
    for (const key of this.#live.values()) if (key === owner) count++;
    return count;
  }
}
