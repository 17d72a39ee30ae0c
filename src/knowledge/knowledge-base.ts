import type { Config } from '../config/schema.ts';
import { GatewayError } from '../core/errors.ts';
import { EmbeddingsClient } from './embeddings.ts';
import { QdrantKnowledgeStore } from './qdrant-store.ts';
import { SqliteKnowledgeStore } from './sqlite-store.ts';
import type { KnowledgeStore, Passage } from './store.ts';

/** How long "the store has documents" is believed: documents come and go through the CLI, not through us. */
const EMPTINESS_TTL_MS = 10_000;

/** The store the config names: Qdrant when `qdrantUrl` is set, else the embedded one (created only when `create`). */
export function openKnowledgeStore(config: Config, options: { create: boolean }): KnowledgeStore | undefined {
  if (config.qdrantUrl) {
    return new QdrantKnowledgeStore({ url: config.qdrantUrl, apiKey: config.knowledge.qdrantApiKey, collection: config.knowledge.collection });
  }
  return SqliteKnowledgeStore.open(config.knowledge.dir, options);
}

/**
 * Retrieval for a turn: embeds the query and searches the store, all within `knowledge.timeoutMs`. A slow or failing
 * store or embeddings server becomes a GatewayError (`knowledge_timeout`, `knowledge_unavailable`) at the deadline,
 * whatever the peer does after, so the turn goes on.
 */
export class KnowledgeBase {
  readonly #config: Config['knowledge'];
  readonly #embeddings: EmbeddingsClient;
  readonly #open: () => KnowledgeStore | undefined;
  #store: KnowledgeStore | undefined;
  #emptiness: { empty: boolean; at: number } | undefined;

  /** `open` is asked again until it gives a store: the embedded store's file appears with the first ingestion. */
  constructor(config: Config['knowledge'], embeddings: EmbeddingsClient, open: () => KnowledgeStore | undefined) {
    this.#config = config;
    this.#embeddings = embeddings;
    this.#open = open;
  }

  static fromConfig(config: Config): KnowledgeBase {
    return new KnowledgeBase(config.knowledge, new EmbeddingsClient(config.embeddings), () => openKnowledgeStore(config, { create: false }));
  }

  #currentStore(): KnowledgeStore | undefined {
    this.#store ??= this.#open();
    return this.#store;
  }

  /**
   * Whether there is anything to search, cached for a few seconds. A store that cannot answer counts as holding
   * documents: the agent then reports it unavailable rather than silently answering without it.
   */
  async hasDocuments(): Promise<boolean> {
    const now = performance.now();
    if (this.#emptiness && now - this.#emptiness.at < EMPTINESS_TTL_MS) return !this.#emptiness.empty;
    const store = this.#currentStore();
    let empty: boolean;
    try {
      empty = store ? await this.#withinBudget(store.isEmpty(), AbortSignal.timeout(this.#config.timeoutMs)) : true;
    } catch {
      empty = false;
    }
    this.#emptiness = { empty, at: now };
    return !empty;
  }

  /** The best passages for `query`, best first, above `minScore`. Throws GatewayError, or `signal`'s reason. */
  async search(query: string, signal: AbortSignal): Promise<Passage[]> {
    const deadline = AbortSignal.timeout(this.#config.timeoutMs);
    const both = AbortSignal.any([signal, deadline]);
    try {
      const store = this.#currentStore();
      if (!store) return [];
      const [vector] = await this.#embeddings.embed([query], both);
      const passages = await this.#withinBudget(store.search(vector as Float32Array, this.#config.topK), both);
      return passages.filter((p) => p.score >= this.#config.minScore);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (deadline.aborted) {
        throw new GatewayError('knowledge_timeout', `knowledge search took longer than ${this.#config.timeoutMs} ms (knowledge.timeoutMs)`);
      }
      throw GatewayError.from(err, 'knowledge_unavailable', 'knowledge search failed');
    }
  }

  /** `work`, or a rejection as soon as `signal` aborts: a store call cannot always be cancelled, but it can be left. */
  #withinBudget<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    const { promise, reject } = Promise.withResolvers<never>();
    const stop = () => reject(signal.reason as Error);
    signal.addEventListener('abort', stop, { once: true });
    return Promise.race([work, promise]).finally(() => signal.removeEventListener('abort', stop));
  }

  async close(): Promise<void> {
    await this.#store?.close();
  }
}
