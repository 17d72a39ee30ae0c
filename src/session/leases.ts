import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** A live connection's hold on a session: renewed while held, released when the session ends. */
export interface Lease {
  release(): Promise<void>;
}

/**
 * One live connection per session. The rule for a second connection is take-over: the owner that resumes a
 * session gets it, and the connection holding it is told (`takenOver`) and closed. Refusing instead would lock a
 * user out after a network cut or a page reload until the old socket timed out.
 */
export interface SessionLeases {
  /** Takes the session's lease, ending the holder's hold first (within this process, after its session has ended). */
  acquire(sessionId: string, takenOver: () => Promise<void>): Promise<Lease>;
  close(): Promise<void>;
}

// A taken-over session that does not end within this long does not hold up the one taking it.
const TAKEOVER_WAIT_MS = 5_000;

/** Lets the holder end its session, waiting a bounded time for it. */
async function endHolder(takenOver: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([takenOver(), new Promise<void>((resolve) => (timer = setTimeout(resolve, TAKEOVER_WAIT_MS)))]);
  clearTimeout(timer);
}

interface Held {
  holder: string;
  takenOver: () => Promise<void>;
}

/** Leases within one process, for a gateway without Redis. */
export class MemoryLeases implements SessionLeases {
  readonly #held = new Map<string, Held>();

  async acquire(sessionId: string, takenOver: () => Promise<void>): Promise<Lease> {
    const previous = this.#held.get(sessionId);
    const mine: Held = { holder: randomUUID(), takenOver };
    this.#held.set(sessionId, mine);
    if (previous) await endHolder(previous.takenOver);
    return {
      release: async () => {
        if (this.#held.get(sessionId) === mine) this.#held.delete(sessionId);
      },
    };
  }

  async close(): Promise<void> {}
}

const TAKEN_CHANNEL = 's2s:session-lease:taken';
const leaseKey = (sessionId: string) => `s2s:session-lease:${sessionId}`;

// Renews the lease while it is still this holder's, takes it again if Redis lost it (a restart without
// persistence); 0 means another connection has it.
const RENEW = `local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not holder then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Leases in Redis, shared by every gateway process using it. A take-over is published so the process holding
 * the session closes it at once; a holder that missed it finds out at its next renewal. Redis trouble never
 * breaks a session: a lease that cannot be taken or renewed is logged and the session goes on (one connection
 * per session is then not guaranteed until Redis is back). A crashed holder's lease expires after `ttlMs`, but
 * a take-over never waits for that.
 */
export class RedisLeases implements SessionLeases {
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  readonly #ttlMs: number;
  readonly #log: Logger;
  /** This process's holds by session id. */
  readonly #held = new Map<string, Held & { timer: NodeJS.Timeout }>();

  constructor(url: string, ttlMs: number, log: Logger) {
    this.#redis = new Redis(url, { connectTimeout: 2_000, commandTimeout: 1_000, maxRetriesPerRequest: 1 });
    this.#redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis lease client error'));
    this.#ttlMs = ttlMs;
    this.#log = log;
    // A subscribed connection can do nothing else, so take-over notices get their own.
    this.#subscriber = this.#redis.duplicate({ commandTimeout: undefined });
    this.#subscriber.on('error', (err: Error) => log.warn({ err: err.message }, 'redis lease subscriber error'));
    this.#subscriber.on('message', (_channel: string, message: string) => this.#onTaken(message));
    this.subscribed = this.#subscriber.subscribe(TAKEN_CHANNEL).then(
      () => undefined,
      (err: unknown) => log.warn({ err: (err as Error).message }, 'lease take-over channel unavailable'),
    );
  }

  /** Settles once take-over notices from other processes reach this one (or subscribing failed, logged). */
  readonly subscribed: Promise<void>;

  async acquire(sessionId: string, takenOver: () => Promise<void>): Promise<Lease> {
    const mine = { holder: randomUUID(), takenOver, timer: setInterval(() => void this.#renew(sessionId, mine), this.#ttlMs / 3) };
    mine.timer.unref();
    const local = this.#held.get(sessionId);
    this.#held.set(sessionId, mine);
    if (local) {
      clearInterval(local.timer);
      await endHolder(local.takenOver);
    }
    try {
      const previous = await this.#redis.set(leaseKey(sessionId), mine.holder, 'PX', this.#ttlMs, 'GET');
      if (previous !== null && previous !== local?.holder) await this.#redis.publish(TAKEN_CHANNEL, JSON.stringify({ sessionId, holder: previous }));
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'session lease not taken');
    }
    return { release: () => this.#release(sessionId, mine) };
  }

  async close(): Promise<void> {
    for (const held of this.#held.values()) clearInterval(held.timer);
    this.#subscriber.disconnect();
    this.#redis.disconnect();
  }

  #onTaken(message: string): void {
    let notice: { sessionId?: unknown; holder?: unknown };
    try {
      notice = JSON.parse(message) as typeof notice;
    } catch {
      return;
    }
    const held = typeof notice.sessionId === 'string' ? this.#held.get(notice.sessionId) : undefined;
    if (held && held.holder === notice.holder) this.#lost(notice.sessionId as string, held);
  }

  async #renew(sessionId: string, mine: Held & { timer: NodeJS.Timeout }): Promise<void> {
    let renewed: unknown;
    try {
      renewed = await this.#redis.eval(RENEW, 1, leaseKey(sessionId), mine.holder, String(this.#ttlMs));
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'session lease not renewed');
      return;
    }
    if (renewed === 0 && this.#held.get(sessionId) === mine) this.#lost(sessionId, mine);
  }

  #lost(sessionId: string, held: Held & { timer: NodeJS.Timeout }): void {
    clearInterval(held.timer);
    if (this.#held.get(sessionId) === held) this.#held.delete(sessionId);
    void held.takenOver();
  }

  async #release(sessionId: string, mine: Held & { timer: NodeJS.Timeout }): Promise<void> {
    clearInterval(mine.timer);
    if (this.#held.get(sessionId) !== mine) return;
    this.#held.delete(sessionId);
    try {
      await this.#redis.eval(RELEASE, 1, leaseKey(sessionId), mine.holder);
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'session lease not released');
    }
  }
}
