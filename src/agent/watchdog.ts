import type { Config } from '../config/schema.ts';
import { GatewayError } from '../core/errors.ts';

/**
 * Bounds how long the LLM may stall a turn: until the first token, between tokens, and in total. Its signal
 * aborts the graph run (closing the HTTP request) when any limit passes or when the turn itself is aborted.
 */
export class LlmWatchdog {
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #limits: Config['llm'];
  #timeout: GatewayError | undefined;
  #stallTimer: NodeJS.Timeout;
  readonly #totalTimer: NodeJS.Timeout;

  constructor(limits: Config['llm'], turnSignal: AbortSignal) {
    this.#limits = limits;
    this.signal = AbortSignal.any([turnSignal, this.#controller.signal]);
    this.#stallTimer = setTimeout(() => this.#fire(`no first token within ${limits.firstTokenTimeoutMs} ms`), limits.firstTokenTimeoutMs);
    this.#totalTimer = setTimeout(() => this.#fire(`no complete answer within ${limits.totalTimeoutMs} ms`), limits.totalTimeoutMs);
  }

  tokenArrived(): void {
    if (this.#timeout) return;
    clearTimeout(this.#stallTimer);
    const idleMs = this.#limits.idleTimeoutMs;
    this.#stallTimer = setTimeout(() => this.#fire(`no token for ${idleMs} ms`), idleMs);
  }

  /** The timeout that ended the run, if one did. */
  timeoutError(): GatewayError | undefined {
    return this.#timeout;
  }

  dispose(): void {
    clearTimeout(this.#stallTimer);
    clearTimeout(this.#totalTimer);
  }

  #fire(reason: string): void {
    this.#timeout = new GatewayError('llm_timeout', `the LLM server stalled: ${reason}`);
    this.#controller.abort(this.#timeout);
  }
}
