import type { RunnableConfig } from '@langchain/core/runnables';
import type { Checkpoint, CheckpointListOptions, CheckpointMetadata, CheckpointTuple, PendingWrite } from '@langchain/langgraph-checkpoint';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { StoreStatus } from '../contracts/store.ts';
import { backoffDelayMs } from '../core/backoff.ts';
import { GatewayError } from '../core/errors.ts';
import { redactInternals } from '../core/redact.ts';

type ChannelVersions = Checkpoint['channel_versions'];

/**
 * Conversation memory in Postgres that survives Postgres. Start-up never waits for the database: the tables are
 * prepared in the background, retried with backoff for ever. Every failure of a read or write (unreachable,
 * dropped, timed out, not prepared yet) is `memory_unavailable`, never an LLM code and never the database's
 * address; the pool that failed is replaced, so a connection stuck on a hung peer is not handed out again. Every
 * pool and client has an error listener: a dropped idle connection is logged, not fatal.
 */
export class PostgresMemory {
  readonly saver: GuardedPostgresSaver;
  readonly #url: string;
  readonly #settings: Config['stores'];
  readonly #log: Logger;
  readonly #stopped = new AbortController();
  #pool: pg.Pool;
  #status: StoreStatus = { reachable: false, error: 'not checked yet' };
  #prepared = false;
  readonly #running: Promise<void>;

  constructor(url: string, settings: Config['stores'], log: Logger) {
    this.#url = url;
    this.#settings = settings;
    this.#log = log;
    this.#pool = this.#newPool();
    // The saver reaches the database through whichever pool is current: a failed one is replaced under it.
    const current = {
      connect: () => this.#pool.connect(),
      query: (text: string, values?: unknown[]) => this.#pool.query(text, values),
      end: () => this.#pool.end(),
    } as unknown as pg.Pool;
    this.saver = new GuardedPostgresSaver(current, {
      current: () => this.#pool,
      failed: (err, pool) => this.#failed(err, pool),
      prepared: () => this.#prepared,
    });
    this.#running = this.#keepWatch();
  }

  get status(): StoreStatus {
    return this.#status;
  }

  async close(): Promise<void> {
    this.#stopped.abort();
    await this.#running;
    await this.#pool.end().catch(() => undefined);
  }

  #newPool(): pg.Pool {
    const { queryTimeoutMs } = this.#settings;
    const pool = new pg.Pool({
      connectionString: this.#url,
      max: 10,
      connectionTimeoutMillis: queryTimeoutMs,
      query_timeout: queryTimeoutMs,
      idleTimeoutMillis: 10_000,
      keepAlive: true,
    });
    // An idle client that loses its socket is emitted here; without a listener it would end the process.
    pool.on('error', (err) => this.#log.warn({ err: redactInternals(err.message) }, 'postgres connection lost'));
    // A checked-out client between queries emits on itself.
    pool.on('connect', (client) => client.on('error', (err) => this.#log.warn({ err: redactInternals(err.message) }, 'postgres connection lost')));
    return pool;
  }

  /** Prepares the tables (retrying for ever), then checks the database every probeIntervalMs. */
  async #keepWatch(): Promise<void> {
    const signal = this.#stopped.signal;
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await this.saver.setup();
        this.#prepared = true;
        this.#status = { reachable: true, checkedAt: new Date().toISOString() };
        if (attempt > 1) this.#log.info({ attempts: attempt - 1 }, 'postgres reachable again; conversation memory prepared');
        break;
      } catch (err) {
        this.#failed(err, this.#pool);
        const retryInMs = backoffDelayMs({ minMs: this.#settings.retryMinMs, maxMs: this.#settings.retryMaxMs }, attempt);
        this.#log.warn({ err: this.#status.error, attempt, retryInMs }, 'conversation memory (postgres) unavailable; retrying');
        if (!(await pause(retryInMs, signal))) return;
      }
    }
    while (await pause(this.#settings.probeIntervalMs, signal)) {
      const pool = this.#pool;
      try {
        await pool.query('SELECT 1');
        if (!this.#status.reachable) this.#log.info('postgres reachable again');
        this.#status = { reachable: true, checkedAt: new Date().toISOString() };
      } catch (err) {
        this.#failed(err, pool);
      }
    }
  }

  /** Marks Postgres unreachable and swaps out the pool that failed (once, however many operations saw it fail). */
  #failed(err: unknown, pool: pg.Pool): void {
    this.#status = { reachable: false, checkedAt: new Date().toISOString(), error: redactInternals(errorText(err)) };
    if (this.#pool !== pool) return;
    this.#pool = this.#newPool();
    // Clients still checked out (a query stuck on a hung peer) are closed when released.
    pool.end().catch(() => undefined);
  }
}

interface Guard {
  /** The pool in use now. */
  current(): pg.Pool;
  /** An operation on `pool` failed. */
  failed(err: unknown, pool: pg.Pool): void;
  /** The tables are there. */
  prepared(): boolean;
}

/** PostgresSaver whose every failure is a coded `memory_unavailable`. */
class GuardedPostgresSaver extends PostgresSaver {
  readonly #guard: Guard;

  constructor(pool: pg.Pool, guard: Guard) {
    super(pool);
    this.#guard = guard;
  }

  async #guarded<T>(work: () => Promise<T>): Promise<T> {
    if (!this.#guard.prepared()) throw notReachableYet();
    const pool = this.#guard.current();
    try {
      return await work();
    } catch (err) {
      this.#guard.failed(err, pool);
      throw unavailable(err);
    }
  }

  override getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    return this.#guarded(() => super.getTuple(config));
  }

  override put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    return this.#guarded(() => super.put(config, checkpoint, metadata, newVersions));
  }

  override putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    return this.#guarded(() => super.putWrites(config, writes, taskId));
  }

  override deleteThread(threadId: string): Promise<void> {
    return this.#guarded(() => super.deleteThread(threadId));
  }

  override async *list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    if (!this.#guard.prepared()) throw notReachableYet();
    const pool = this.#guard.current();
    try {
      yield* super.list(config, options);
    } catch (err) {
      this.#guard.failed(err, pool);
      throw unavailable(err);
    }
  }
}

function notReachableYet(): GatewayError {
  return new GatewayError('memory_unavailable', 'conversation memory is not reachable yet; try again shortly');
}

function unavailable(err: unknown): GatewayError {
  return new GatewayError('memory_unavailable', 'conversation memory is unavailable; try again shortly', { cause: err });
}

function errorText(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

/** Waits `ms`; false if stopped first. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
