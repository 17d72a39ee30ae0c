import { MemorySaver, type BaseCheckpointSaver } from '@langchain/langgraph';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import pg from 'pg';

export interface Checkpointer {
  saver: BaseCheckpointSaver;
  close(): Promise<void>;
}

/** Conversation memory: Postgres when configured (survives restarts, shared by gateways), else in memory. */
export async function createCheckpointer(postgresUrl: string | undefined): Promise<Checkpointer> {
  if (!postgresUrl) return { saver: new MemorySaver(), close: async () => {} };
  const pool = new pg.Pool({ connectionString: postgresUrl, max: 10, connectionTimeoutMillis: 5_000 });
  const saver = new PostgresSaver(pool);
  try {
    await saver.setup();
  } catch (err) {
    await pool.end();
    throw new Error(`cannot prepare conversation memory in Postgres (S2S_POSTGRES_URL): ${(err as Error).message}`, { cause: err });
  }
  return { saver, close: () => pool.end() };
}
