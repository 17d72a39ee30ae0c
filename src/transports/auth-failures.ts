import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiterMemory } from 'rate-limiter-flexible';

const WINDOW_S = 60;

/**
 * Slows key guessing: each client address may fail authentication `perMinute` times a minute; past that every
 * request from it, right key or not, gets 429 with `Retry-After` until the minute is over. Counted per process.
 */
export class AuthFailures {
  readonly #limiter: RateLimiterMemory;
  readonly #perMinute: number;

  constructor(perMinute: number) {
    this.#perMinute = perMinute;
    this.#limiter = new RateLimiterMemory({ points: perMinute, duration: WINDOW_S });
  }

  /** Counts a failed authentication from the request's address. */
  record(request: FastifyRequest): void {
    // Past its points the limiter rejects; the address is then refused by `refuseBlocked` anyway.
    this.#limiter.consume(request.ip).catch(() => undefined);
  }

  /** An onRequest hook: 429 for an address over its failures. */
  readonly refuseBlocked = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const state = await this.#limiter.get(request.ip);
    if (!state || state.consumedPoints < this.#perMinute) return;
    const retryAfterS = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    await reply
      .code(429)
      .header('retry-after', String(retryAfterS))
      .send({ error: 'too_many_auth_failures', message: `too many failed authentications from this address; retry in ${retryAfterS} s` });
  };
}
