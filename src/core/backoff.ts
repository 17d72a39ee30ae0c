/** Retry delays that grow from `minMs` to `maxMs` and never give up: how the gateway waits for a dependency. */
export interface Backoff {
  minMs: number;
  maxMs: number;
}

/**
 * The delay before retry number `attempt` (1 for the first retry): doubling from minMs, capped at maxMs, with up
 * to a quarter of jitter so gateways that lost a store together do not return to it in step.
 */
export function backoffDelayMs({ minMs, maxMs }: Backoff, attempt: number): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(base * (0.75 + Math.random() * 0.25));
}
