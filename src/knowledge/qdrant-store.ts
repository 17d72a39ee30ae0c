import { createHash } from 'node:crypto';
import { QdrantClient } from '@qdrant/js-client-rest';
import type { DocumentRecord, EmbeddedChunk, KnowledgeStore, Passage } from './store.ts';

/** Points per upsert request: large documents go in several, well under Qdrant's request size limit. */
const UPSERT_BATCH = 256;
const SCROLL_PAGE = 256;

interface ChunkPayload {
  source: string;
  position: number;
  heading: string;
  text: string;
  content_hash: string;
  chunks: number;
  ingested_at: string;
}

/** Qdrant point ids are unsigned integers or UUIDs: a UUID-shaped hash of the chunk's identity. */
function pointId(source: string, contentHash: string, position: number): string {
  const hex = createHash('sha256').update(`${source}\0${contentHash}\0${position}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const bySource = (source: string) => ({ key: 'source', match: { value: source } });

/**
 * The knowledge store in a Qdrant collection, through Qdrant's official REST client. Each chunk is a point whose
 * payload holds its text and its document's record, so the collection alone describes what was ingested. A new
 * version of a document is upserted before the old one's points are deleted: a failure part way leaves the old
 * version searchable.
 */
export class QdrantKnowledgeStore implements KnowledgeStore {
  readonly kind = 'qdrant';
  readonly #client: QdrantClient;
  readonly #collection: string;

  constructor(options: { url: string; apiKey?: string | undefined; collection: string; timeoutMs?: number }) {
    this.#client = new QdrantClient({
      url: options.url,
      ...(options.apiKey !== undefined && { apiKey: options.apiKey }),
      timeout: options.timeoutMs ?? 30_000,
      // The version check is one more request at start-up and logs to the console; a wrong server fails loudly anyway.
      checkCompatibility: false,
    });
    this.#collection = options.collection;
  }

  async #exists(): Promise<boolean> {
    return (await this.#client.collectionExists(this.#collection)).exists;
  }

  async #ensureCollection(size: number): Promise<void> {
    if (await this.#exists()) {
      const info = await this.#client.getCollection(this.#collection);
      const vectors = info.config.params.vectors as { size?: number } | undefined;
      if (vectors?.size !== undefined && vectors.size !== size) {
        throw new Error(
          `the embeddings have ${size} dimensions but Qdrant collection "${this.#collection}" holds ${vectors.size}: choose another knowledge.collection`,
        );
      }
      return;
    }
    await this.#client.createCollection(this.#collection, { vectors: { size, distance: 'Cosine' } });
    await this.#client.createPayloadIndex(this.#collection, { field_name: 'source', field_schema: 'keyword', wait: true });
    await this.#client.createPayloadIndex(this.#collection, { field_name: 'position', field_schema: 'integer', wait: true });
  }

  async documents(): Promise<DocumentRecord[]> {
    if (!(await this.#exists())) return [];
    const records: DocumentRecord[] = [];
    let offset: string | number | undefined;
    do {
      const page = await this.#client.scroll(this.#collection, {
        filter: { must: [{ key: 'position', match: { value: 0 } }] },
        limit: SCROLL_PAGE,
        with_payload: true,
        with_vector: false,
        ...(offset !== undefined && { offset }),
      });
      for (const point of page.points) records.push(toRecord(point.payload as unknown as ChunkPayload));
      offset = (page.next_page_offset ?? undefined) as string | number | undefined;
    } while (offset !== undefined);
    return records.sort((a, b) => a.source.localeCompare(b.source));
  }

  async document(source: string): Promise<DocumentRecord | undefined> {
    if (!(await this.#exists())) return undefined;
    const page = await this.#client.scroll(this.#collection, {
      filter: { must: [bySource(source), { key: 'position', match: { value: 0 } }] },
      limit: 1,
      with_payload: true,
      with_vector: false,
    });
    const payload = page.points[0]?.payload as unknown as ChunkPayload | undefined;
    return payload && toRecord(payload);
  }

  async replace(document: DocumentRecord, chunks: readonly EmbeddedChunk[]): Promise<void> {
    const size = chunks[0]?.vector.length;
    if (size === undefined) {
      await this.remove(document.source);
      return;
    }
    await this.#ensureCollection(size);
    const points = chunks.map((chunk, position) => {
      const payload: ChunkPayload = {
        source: document.source,
        position,
        heading: chunk.heading,
        text: chunk.text,
        content_hash: document.contentHash,
        chunks: document.chunks,
        ingested_at: document.ingestedAt,
      };
      return { id: pointId(document.source, document.contentHash, position), vector: Array.from(chunk.vector), payload: { ...payload } };
    });
    const thisVersion = { key: 'content_hash', match: { value: document.contentHash } };
    try {
      for (let start = 0; start < points.length; start += UPSERT_BATCH) {
        await this.#client.upsert(this.#collection, { wait: true, points: points.slice(start, start + UPSERT_BATCH) });
      }
    } catch (err) {
      // Take back the part of the new version that was written; the old one was not touched.
      await this.#client
        .delete(this.#collection, { wait: true, filter: { must: [bySource(document.source), thisVersion] } })
        .catch(() => undefined);
      throw err;
    }
    await this.#client.delete(this.#collection, { wait: true, filter: { must: [bySource(document.source)], must_not: [thisVersion] } });
  }

  async remove(source: string): Promise<boolean> {
    if (!(await this.#exists())) return false;
    const { count } = await this.#client.count(this.#collection, { filter: { must: [bySource(source)] }, exact: true });
    if (count === 0) return false;
    await this.#client.delete(this.#collection, { wait: true, filter: { must: [bySource(source)] } });
    return true;
  }

  async search(vector: Float32Array, limit: number): Promise<Passage[]> {
    // A missing collection is an empty store, not a failure: nothing was ingested yet.
    if (!(await this.#exists())) return [];
    const { points } = await this.#client.query(this.#collection, { query: Array.from(vector), limit, with_payload: true });
    return points.map((point) => {
      const payload = point.payload as unknown as ChunkPayload;
      return { source: payload.source, heading: payload.heading, text: payload.text, score: point.score };
    });
  }

  async isEmpty(): Promise<boolean> {
    if (!(await this.#exists())) return true;
    const { count } = await this.#client.count(this.#collection, { exact: false });
    return count === 0;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function toRecord(payload: ChunkPayload): DocumentRecord {
  return { source: payload.source, contentHash: payload.content_hash, chunks: payload.chunks, ingestedAt: payload.ingested_at };
}
