import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { ExpiringMemorySaver } from './expiring-memory-saver.ts';
import type { StoreStatus } from '../contracts/store.ts';
import { PostgresMemory } from './postgres-memory.ts';

export interface Checkpointer {
  saver: BaseCheckpointSaver;
  /** Postgres reachability for `/ready`; undefined for memory held in process. */
  status(): StoreStatus | undefined;
  close(): Promise<void>;
}

/**
 * Conversation memory: Postgres when configured (survives restarts, shared by gateways; rides out outages), else
 * in process, forgetting conversations idle for memory.inMemoryIdleMs.
 */
export function createCheckpointer(config: Pick<Config, 'postgresUrl' | 'stores' | 'memory'>, log: Logger): Checkpointer {
  if (!config.postgresUrl) {
    const saver = new ExpiringMemorySaver(config.memory.inMemoryIdleMs);
    return { saver, status: () => undefined, close: async () => saver.close() };
  }
  const memory = new PostgresMemory(config.postgresUrl, config.stores, log);
  return { saver: memory.saver, status: () => memory.status, close: () => memory.close() };
}
