import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

const WINDOW_S = 60;

export interface SharedCount {
  redis: Redis;
  /** Keys of this deployment's counts: replicas with the same API keys share them, other deployments do not. */
  keyPrefix: string;
}

/**
 * Slows key guessing: each client address may fail authentication `perMinute` times a minute; past that every
 * request from it, right key or not, gets 429 with `Retry-After` until the minute is over. With `shared`, the
 * count is in Redis, so a guesser spread over replicas gets one budget, not one each; while Redis is unreachable
 * each process counts on its own.
 */
export class AuthFailures {
  readonly #limiter: RateLimiterAbstract;
  readonly #perMinute: number;

  constructor(perMinute: number, shared?: SharedCount) {
    this.#perMinute = perMinute;
    const local = new RateLimiterMemory({ points: perMinute, duration: WINDOW_S });
    this.#limiter = shared
      ? new RateLimiterRedis({
          storeClient: shared.redis,
          keyPrefix: shared.keyPrefix,
          points: perMinute,
          duration: WINDOW_S,
          rejectIfRedisNotReady: true,
          insuranceLimiter: local,
        })
      : local;
  }

  /** Counts a failed authentication from the request's address. */
  record(request: FastifyRequest): void {
    // Past its points the limiter rejects; the address is then refused by `refuseBlocked` anyway.
    this.#limiter.consume(request.ip).catch(() => undefined);
  }

  /** An onRequest hook: 429 for an address over its failures. */
  readonly refuseBlocked = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const state = await this.#limiter.get(request.ip).catch(() => null);
    if (!state || state.consumedPoints < this.#perMinute) return;
    const retryAfterS = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    await reply
      .code(429)
      .header('retry-after', String(retryAfterS))
      .send({ error: 'too_many_auth_failures', message: `too many failed authentications from this address; retry in ${retryAfterS} s` });
  };
}
