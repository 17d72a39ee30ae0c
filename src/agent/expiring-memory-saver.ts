import type { RunnableConfig } from '@langchain/core/runnables';
import { MemorySaver, type Checkpoint, type CheckpointMetadata, type CheckpointTuple, type PendingWrite } from '@langchain/langgraph-checkpoint';

/**
 * In-process conversation memory (no Postgres) that forgets a conversation nobody read or wrote for `idleMs`,
 * so a long-running gateway does not keep every conversation it ever had.
 */
export class ExpiringMemorySaver extends MemorySaver {
  readonly #idleMs: number;
  readonly #touched = new Map<string, number>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(idleMs: number) {
    super();
    this.#idleMs = idleMs;
    this.#sweeper = setInterval(() => void this.sweep(), Math.min(idleMs, 60_000));
    this.#sweeper.unref();
  }

  /** Conversations held now. */
  get size(): number {
    return this.#touched.size;
  }

  /** Forgets the conversations idle for longer than idleMs. */
  async sweep(now = Date.now()): Promise<void> {
    for (const [threadId, at] of this.#touched) {
      if (now - at > this.#idleMs) await this.deleteThread(threadId);
    }
  }

  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const tuple = await super.getTuple(config);
    this.#touch(config);
    return tuple;
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata): Promise<RunnableConfig> {
    const stored = await super.put(config, checkpoint, metadata);
    this.#touch(config);
    return stored;
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void> {
    await super.putWrites(config, writes, taskId);
    this.#touch(config);
  }

  override async deleteThread(threadId: string): Promise<void> {
    this.#touched.delete(threadId);
    return super.deleteThread(threadId);
  }

  close(): void {
    clearInterval(this.#sweeper);
  }

  #touch(config: RunnableConfig): void {
    const threadId = config.configurable?.thread_id as string | undefined;
    // A read of a conversation that does not exist must not start tracking it.
    if (threadId !== undefined && (this.#touched.has(threadId) || threadId in this.storage)) this.#touched.set(threadId, Date.now());
  }
}
