import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { SessionStart } from '../transports/v1/messages.ts';

export type TtsSettings = NonNullable<SessionStart['tts']>;

/** What a reconnecting client gets back when it resumes with its session_id. */
export interface SessionRecord {
  lang: string;
  voice?: string | undefined;
  tts?: TtsSettings | undefined;
  createdAt: number;
}

export interface SessionStore {
  get(id: string): Promise<SessionRecord | undefined>;
  put(id: string, record: SessionRecord): Promise<void>;
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

  async close(): Promise<void> {}
}

/**
 * Redis store: sessions resume on any gateway sharing it, and after restarts. Redis trouble never breaks a
 * session: a failed read is a miss, a failed write is logged.
 */
export class RedisSessionStore implements SessionStore {
  readonly #redis: Redis;
  readonly #log: Logger;

  constructor(url: string, log: Logger) {
    this.#log = log;
    this.#redis = new Redis(url, { lazyConnect: false, connectTimeout: 2_000, commandTimeout: 1_000, maxRetriesPerRequest: 1 });
    this.#redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis error'));
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    try {
      const raw = await this.#redis.get(key(id));
      return raw ? (JSON.parse(raw) as SessionRecord) : undefined;
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'session lookup failed');
      return undefined;
    }
  }

  async put(id: string, record: SessionRecord): Promise<void> {
    try {
      await this.#redis.set(key(id), JSON.stringify(record), 'EX', TTL_S);
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'session save failed');
    }
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }
}

const key = (id: string) => `s2s:session:${id}`;
