import { monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_MS = 10;
const WINDOW_MS = 1_000;

/**
 * The event loop's p99 delay over the last full second, for admission: a loop that lags makes every session's
 * audio late, so new sessions are refused until it recovers. The histogram counts whole timer intervals, so its
 * resolution is subtracted (an idle loop reads 0).
 */
export class EventLoopLag {
  readonly #histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  readonly #timer: NodeJS.Timeout;
  #lastMs = 0;

  constructor() {
    this.#histogram.enable();
    this.#timer = setInterval(() => {
      this.#lastMs = Math.max(0, this.#histogram.percentile(99) / 1e6 - RESOLUTION_MS);
      this.#histogram.reset();
    }, WINDOW_MS);
    this.#timer.unref();
  }

  get ms(): number {
    return this.#lastMs;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#histogram.disable();
  }
}
