import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { StoreStatus } from '../contracts/store.ts';
import { backoffDelayMs, type Backoff } from '../core/backoff.ts';
import { GatewayError } from '../core/errors.ts';
import { redactInternals } from '../core/redact.ts';

/** What a reconnecting client gets back when it resumes with its session id. */
const sessionRecordSchema = z.object({
  lang: z.string(),
  voice: z.string().optional(),
  speech: z
    .object({
      speaker: z.union([z.string(), z.number()]).optional(),
      speed: z.number().optional(),
      engineOptions: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  createdAt: z.number(),
  /** The id of the API key that created the session; absent on a gateway without keys. */
  owner: z.string().optional(),
  /** SHA-256 of the latest resume secret; the secret itself is never stored. */
  secretHash: z.string().optional(),
});

export type SessionRecord = z.infer<typeof sessionRecordSchema>;

export interface SessionStore {
  /** Throws GatewayError('session_store_unavailable') when the store cannot be read. */
  get(id: string): Promise<SessionRecord | undefined>;
  /** Never throws: a failed write is logged. */
  put(id: string, record: SessionRecord): Promise<void>;
  /** Reachability for `/ready`; undefined for a store held in process. */
  status(): StoreStatus | undefined;
  close(): Promise<void>;
}

const TTL_S = 24 * 3600;
const MEMORY_MAX_SESSIONS = 10_000;

/** In-process store: resume works across reconnects to this process; the oldest records go first when full. */
export class MemorySessionStore implements SessionStore {
  readonly #records = new Map<string, SessionRecord & { expiresAt: number }>();

  async get(id: string): Promise<SessionRecord | undefined> {
    const record = this.#records.get(id);
    if (!record || record.expiresAt < Date.now()) return undefined;
    return record;
  }

  async put(id: string, record: SessionRecord): Promise<void> {
    this.#records.delete(id);
    this.#records.set(id, { ...record, expiresAt: Date.now() + TTL_S * 1000 });
    if (this.#records.size > MEMORY_MAX_SESSIONS) this.#records.delete(this.#records.keys().next().value as string);
  }

  status(): undefined {
    return undefined;
  }

  async close(): Promise<void> {}
}

/**
 * Redis store: sessions resume on any gateway sharing it, and after restarts. Redis trouble never breaks a
 * session: a failed read is reported (`session_store_unavailable`) and the session starts afresh, a failed write is
 * logged. A record that does not parse (another version's, or damaged) is a miss. The client reconnects for ever,
 * with backoff, and every connection error is logged, never thrown.
 */
export class RedisSessionStore implements SessionStore {
  readonly #redis: Redis;
  readonly #log: Logger;
  #lastError: string | undefined;

  constructor(url: string, retry: Backoff, log: Logger) {
    this.#log = log;
    this.#redis = new Redis(url, {
      lazyConnect: false,
      connectTimeout: 2_000,
      commandTimeout: 1_000,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => backoffDelayMs(retry, attempt),
    });
    this.#redis.on('error', (err: Error) => {
      this.#lastError = redactInternals(err.message);
      log.warn({ err: this.#lastError }, 'redis error');
    });
    this.#redis.on('ready', () => {
      if (this.#lastError !== undefined) log.info('redis reachable again');
      this.#lastError = undefined;
    });
  }

  status(): StoreStatus {
    const reachable = this.#redis.status === 'ready';
    return { reachable, ...(!reachable && { error: this.#lastError ?? this.#redis.status }) };
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    let raw: string | null;
    try {
      raw = await this.#redis.get(key(id));
    } catch (err) {
      this.#log.warn({ err: redactInternals((err as Error).message) }, 'session lookup failed');
      throw new GatewayError('session_store_unavailable', 'the session store is unavailable; the session starts without its saved settings', { cause: err });
    }
    if (!raw) return undefined;
    const parsed = sessionRecordSchema.safeParse(parseJson(raw));
    if (!parsed.success) this.#log.warn({ problems: parsed.error.issues.length }, 'stored session record unreadable; starting afresh');
    return parsed.success ? parsed.data : undefined;
  }

  async put(id: string, record: SessionRecord): Promise<void> {
    try {
      await this.#redis.set(key(id), JSON.stringify(record), 'EX', TTL_S);
    } catch (err) {
      this.#log.warn({ err: redactInternals((err as Error).message) }, 'session save failed');
    }
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}

const key = (id: string) => `s2s:session:${id}`;

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
