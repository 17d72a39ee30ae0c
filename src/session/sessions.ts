import type { Context } from '@opentelemetry/api';
import { GatewayError, type SessionEndCode } from '../core/errors.ts';
import type { Admission } from './admission.ts';
import type { SessionSink } from './events.ts';
import type { Session } from './session.ts';

/** Opens a session speaking to `sink`; `trace` is the client's trace context, the parent of its spans. */
export type SessionFactory = (sink: SessionSink, trace: Context) => Session;

/**
 * The live sessions of this process, whatever door they came through: their number is limited, admission may
 * refuse new ones, and they end together.
 */
export class Sessions {
  readonly #live = new Set<Session>();
  readonly #max: number;
  readonly #admission: Admission;
  readonly #create: SessionFactory;

  constructor(maxSessions: number, admission: Admission, create: SessionFactory) {
    this.#max = maxSessions;
    this.#admission = admission;
    this.#create = create;
  }

  get size(): number {
    return this.#live.size;
  }

  /**
   * A new session, or GatewayError('too_many_sessions') when `limits.maxSessions` are open, ('shutting_down') while
   * draining, ('overloaded') past an admission limit.
   */
  open(sink: SessionSink, trace: Context): Session {
    this.#admission.admitSession();
    if (this.#live.size >= this.#max) throw new GatewayError('too_many_sessions', `the gateway is at its limit of ${this.#max} sessions`);
    const session = this.#create(sink, trace);
    this.#live.add(session);
    void session.ended.then(() => this.#live.delete(session));
    return session;
  }

  /** Settles when no session has a turn running (turns that start meanwhile are waited for too), or on `signal`. */
  async turnsFinished(signal: AbortSignal): Promise<void> {
    const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    while (!signal.aborted) {
      const running = [...this.#live].map((session) => session.turnFinished).filter((turn) => turn !== undefined);
      if (running.length === 0) return;
      await Promise.race([Promise.all(running), aborted]);
    }
  }

  /** Ends every session, saying why; running turns end first, so clients get their answers' ends. */
  async endAll(code: SessionEndCode, message: string): Promise<void> {
    await Promise.all([...this.#live].map((session) => session.end(code, message)));
  }
}
