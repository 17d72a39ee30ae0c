import type { Logger } from 'pino';
import type { GatewayMetrics } from './metrics.ts';

const TICK_MS = 50;

/**
 * Counts the times the main thread was blocked for longer than `stallMs` (a timer that fired that late): while it
 * is, no session hears, speaks or answers a probe. Each stall increments `s2s_event_loop_stalls_total` and is
 * logged with how long it lasted. The timer is unref'd, so it never holds the process open.
 */
export class EventLoopStallWatch {
  readonly #timer: NodeJS.Timeout;

  constructor(stallMs: number, metrics: GatewayMetrics, log: Logger) {
    let expected = performance.now() + TICK_MS;
    this.#timer = setInterval(() => {
      const now = performance.now();
      const lateMs = now - expected;
      expected = now + TICK_MS;
      if (lateMs < stallMs) return;
      metrics.eventLoopStalled();
      log.warn({ blockedMs: Math.round(lateMs) }, 'event loop stalled');
    }, TICK_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
