import { MemorySaver, type BaseCheckpointSaver } from '@langchain/langgraph';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import pRetry from 'p-retry';
import pg from 'pg';

export interface Checkpointer {
  saver: BaseCheckpointSaver;
  close(): Promise<void>;
}

/**
 * Conversation memory: Postgres when configured (survives restarts, shared by gateways), else in memory.
 * A database that is still starting (as beside us in a fresh deployment) gets about a minute.
 */
export async function createCheckpointer(postgresUrl: string | undefined, signal?: AbortSignal): Promise<Checkpointer> {
  if (!postgresUrl) return { saver: new MemorySaver(), close: async () => {} };
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 10, connectionTimeoutMillis: 5_000 });
  const saver = new PostgresSaver(pool);
  try {
    await pRetry(() => saver.setup(), { retries: 6, minTimeout: 1_000, maxTimeout: 15_000, ...(signal && { signal }) });
  } catch (err) {
    await pool.end();
    throw new Error(`cannot prepare conversation memory in Postgres (S2S_POSTGRES_URL): ${(err as Error).message}`, { cause: err });
  }
  return { saver, close: () => pool.end() };
}
