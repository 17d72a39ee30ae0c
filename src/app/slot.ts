import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { backoffDelayMs, type Backoff } from '../core/backoff.ts';
import { GatewayError } from '../core/errors.ts';

export type SlotState = 'idle' | 'loading' | 'ready' | 'failed';

export interface SlotStatus {
  state: SlotState;
  detail?: string;
  error?: string;
  loadMs?: number;
  /** Failed attempts so far while it keeps retrying. */
  attempts?: number;
}

const MODEL_RETRY: Backoff = { minMs: 1_000, maxMs: 60_000 };

/**
 * A dependency that loads in the background (a model, the agent): start-up never waits on it, `/ready` reports
 * it, and a session that needs it before it is ready gets a clear error instead of a hang. A failed load is tried
 * again with backoff until it succeeds or the slot closes: a model server or file that was not there yet is picked
 * up without a restart.
 */
export class Slot<T> {
  readonly name: string;
  readonly #retry: Backoff;
  #state: SlotState = 'idle';
  #value: T | undefined;
  #error: string | undefined;
  #detail: string | undefined;
  #loadMs: number | undefined;
  #attempts = 0;
  #loading: Promise<void> | undefined;
  readonly #closing = new AbortController();

  constructor(name: string, retry: Backoff = MODEL_RETRY) {
    this.name = name;
    this.#retry = retry;
  }

  /** Starts loading; the returned promise settles after the first attempt and never rejects (a failure is the slot's state). */
  load(detail: string, loader: () => Promise<T>, log?: Logger): Promise<void> {
    this.#state = 'loading';
    this.#detail = detail;
    const firstAttempt = Promise.withResolvers<void>();
    this.#loading = (async () => {
      for (;;) {
        const started = performance.now();
        try {
          this.#value = await loader();
          this.#state = 'ready';
          this.#error = undefined;
          this.#loadMs = Math.round(performance.now() - started);
          if (this.#attempts > 0) log?.info({ dependency: this.name, attempts: this.#attempts }, 'dependency loaded after retrying');
          return;
        } catch (err) {
          this.#state = 'failed';
          this.#error = err instanceof Error ? err.message : String(err);
          this.#attempts += 1;
        } finally {
          firstAttempt.resolve();
        }
        if (this.#closing.signal.aborted) return;
        const delayMs = backoffDelayMs(this.#retry, this.#attempts);
        log?.warn({ dependency: this.name, error: this.#error, attempts: this.#attempts, retryInMs: delayMs }, 'dependency failed to load; retrying');
        try {
          await sleep(delayMs, undefined, { signal: this.#closing.signal });
        } catch {
          return;
        }
      }
    })();
    return firstAttempt.promise;
  }

  get status(): SlotStatus {
    return {
      state: this.#state,
      ...(this.#detail !== undefined && { detail: this.#detail }),
      ...(this.#error !== undefined && { error: this.#error }),
      ...(this.#loadMs !== undefined && { loadMs: this.#loadMs }),
      ...(this.#state === 'failed' && { attempts: this.#attempts }),
    };
  }

  get ready(): boolean {
    return this.#state === 'ready';
  }

  get value(): T | undefined {
    return this.#value;
  }

  /** The loaded value, or GatewayError('model_not_ready') naming what is missing and why. */
  get(): T {
    if (this.#state === 'ready') return this.#value as T;
    const why = this.#state === 'failed' ? `failed to load: ${this.#error}` : this.#state === 'loading' ? 'is still loading' : 'is not configured';
    throw new GatewayError('model_not_ready', `${this.name}${this.#detail ? ` (${this.#detail})` : ''} ${why}`);
  }

  /** Stops retrying, waits for a load in progress, then hands the value to `release`. */
  async close(release: (value: T) => Promise<void>): Promise<void> {
    this.#closing.abort();
    await this.#loading;
    const value = this.#value;
    this.#value = undefined;
    if (value !== undefined) await release(value);
  }
}
