import { GatewayError } from '../core/errors.ts';

export type SlotState = 'idle' | 'loading' | 'ready' | 'failed';

export interface SlotStatus {
  state: SlotState;
  detail?: string;
  error?: string;
  loadMs?: number;
}

/**
 * A dependency that loads in the background (a model, the agent): start-up never waits on it, `/ready` reports
 * it, and a session that needs it before it is ready gets a clear error instead of a hang.
 */
export class Slot<T> {
  readonly name: string;
  #state: SlotState = 'idle';
  #value: T | undefined;
  #error: string | undefined;
  #detail: string | undefined;
  #loadMs: number | undefined;
  #loading: Promise<void> | undefined;

  constructor(name: string) {
    this.name = name;
  }

  /** Starts loading; the returned promise never rejects (a failure is the slot's state). */
  load(detail: string, loader: () => Promise<T>): Promise<void> {
    this.#state = 'loading';
    this.#detail = detail;
    const started = performance.now();
    this.#loading = loader().then(
      (value) => {
        this.#value = value;
        this.#state = 'ready';
        this.#loadMs = Math.round(performance.now() - started);
      },
      (err: unknown) => {
        this.#state = 'failed';
        this.#error = err instanceof Error ? err.message : String(err);
      },
    );
    return this.#loading;
  }

  get status(): SlotStatus {
    return {
      state: this.#state,
      ...(this.#detail !== undefined && { detail: this.#detail }),
      ...(this.#error !== undefined && { error: this.#error }),
      ...(this.#loadMs !== undefined && { loadMs: this.#loadMs }),
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

  /** Waits for a load in progress, then hands the value to `release`. */
  async close(release: (value: T) => Promise<void>): Promise<void> {
    await this.#loading;
    const value = this.#value;
    this.#value = undefined;
    if (value !== undefined) await release(value);
  }
}
