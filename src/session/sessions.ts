import type { Context } from '@opentelemetry/api';
import { GatewayError, type SessionEndCode } from '../core/errors.ts';
import type { Admission } from './admission.ts';
import type { SessionSink } from './events.ts';
import type { Session } from './session.ts';

/**
 * Opens a session speaking to `sink`; `trace` is the client's trace context, the parent of its spans; `owner` the
 * id of the API key the client came with (undefined on a gateway without keys).
 */
export type SessionFactory = (sink: SessionSink, trace: Context, owner: string | undefined) => Session;

/**
 * The live sessions of this process, whatever door they came through: their number is limited, in all and per
 * API key, admission may refuse new ones, and they end together.
 */
export class Sessions {
  /** Each live session with the key that opened it. */
  readonly #live = new Map<Session, string | undefined>();
  readonly #max: number;
  readonly #maxPerKey: number;
  readonly #admission: Admission;
  readonly #create: SessionFactory;

  constructor(limits: { maxSessions: number; maxSessionsPerKey: number }, admission: Admission, create: SessionFactory) {
    this.#max = limits.maxSessions;
    this.#maxPerKey = limits.maxSessionsPerKey;
    this.#admission = admission;
    this.#create = create;
  }

  get size(): number {
    return this.#live.size;
  }

  /**
   * A new session, or GatewayError('too_many_sessions') when `limits.maxSessions` are open, ('key_session_limit')
   * when `owner` holds `access.maxSessionsPerKey`, ('shutting_down') while draining, ('overloaded') past an
   * admission limit.
   */
  open(sink: SessionSink, trace: Context, owner?: string): Session {
    this.#admission.admitSession();
    if (this.#live.size >= this.#max) throw new GatewayError('too_many_sessions', `the gateway is at its limit of ${this.#max} sessions`);
    if (owner !== undefined && this.#countOf(owner) >= this.#maxPerKey) {
      throw new GatewayError('key_session_limit', `this API key holds its limit of ${this.#maxPerKey} sessions`);
    }
    const session = this.#create(sink, trace, owner);
    this.#live.set(session, owner);
    void session.ended.then(() => this.#live.delete(session));
    return session;
  }

  /** Settles when no session has a turn running (turns that start meanwhile are waited for too), or on `signal`. */
  async turnsFinished(signal: AbortSignal): Promise<void> {
    const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    while (!signal.aborted) {
      const running = [...this.#live.keys()].map((session) => session.turnFinished).filter((turn) => turn !== undefined);
      if (running.length === 0) return;
      await Promise.race([Promise.all(running), aborted]);
    }
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
