import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import * as sqliteVec from 'sqlite-vec';
import { type PoolFailure, WorkerPool } from '../core/worker-pool.ts';
import { WorkerThread } from '../engines/worker-threads/worker-thread.ts';
import type { SearchRequest } from './sqlite-search-worker.ts';
import type { DocumentRecord, EmbeddedChunk, KnowledgeStore, Passage } from './store.ts';

const FILE = 'knowledge.sqlite';
const SEARCH_WORKER = new URL('./sqlite-search-worker.ts', import.meta.url);
/** Searches waiting for the search thread; past it a search fails (knowledge_unavailable) rather than queue up. */
const MAX_QUEUED_SEARCHES = 64;
/** A search cannot be stopped in its thread; the knowledge base leaves one that outruns its budget. */
const NEVER_ABORTED = new AbortController().signal;

function searchError(failure: PoolFailure, cause?: unknown): Error {
  return new Error(failure === 'full' ? `more than ${MAX_QUEUED_SEARCHES} knowledge searches are waiting` : `the knowledge search thread ${failure}`, { cause });
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS documents (
    source TEXT PRIMARY KEY, content_hash TEXT NOT NULL, chunks INTEGER NOT NULL, ingested_at TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, source TEXT NOT NULL REFERENCES documents(source), position INTEGER NOT NULL,
    heading TEXT NOT NULL, text TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS chunks_by_source ON chunks(source);
`;

interface DocumentRow {
  source: string;
  content_hash: string;
  chunks: number;
  ingested_at: string;
}

/**
 * The embedded store: one SQLite file (Node's built-in node:sqlite) with the sqlite-vec extension for exact
 * cosine search. WAL mode lets the gateway search while the ingestion CLI writes; each document is written in one
 * transaction, so a failed ingestion leaves the previous version intact. The vector table is created by the first
 * ingestion, when the embedding size is known.
 */
export class SqliteKnowledgeStore implements KnowledgeStore {
  readonly kind = 'embedded';
  readonly #db: DatabaseSync;
  readonly #path: string;
  #searcher: WorkerPool<SearchRequest, Passage[]> | undefined;

  private constructor(db: DatabaseSync, path: string) {
    this.#db = db;
    this.#path = path;
  }

  /** Opens (creating when `create`) the store in `dir`; undefined when it does not exist and `create` is false. */
  static open(dir: string, options: { create: boolean }): SqliteKnowledgeStore | undefined {
    const path = join(dir, FILE);
    if (!options.create && !existsSync(path)) return undefined;
    if (options.create) mkdirSync(dir, { recursive: true });
    const db = new DatabaseSync(path, { allowExtension: true, timeout: 5_000 });
    try {
      sqliteVec.load(db);
      db.exec('PRAGMA journal_mode = WAL');
      db.exec(SCHEMA);
      return new SqliteKnowledgeStore(db, path);
    } catch (err) {
      db.close();
      throw new Error(`cannot open the knowledge store ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  #dimensions(): number | undefined {
    const row = this.#db.prepare(`SELECT value FROM meta WHERE key = 'dimensions'`).get() as { value: string } | undefined;
    return row ? Number(row.value) : undefined;
  }

  documents(): Promise<DocumentRecord[]> {
    const rows = this.#db.prepare('SELECT * FROM documents ORDER BY source').all() as unknown as DocumentRow[];
    return Promise.resolve(rows.map(toRecord));
  }

  document(source: string): Promise<DocumentRecord | undefined> {
    const row = this.#db.prepare('SELECT * FROM documents WHERE source = ?').get(source) as DocumentRow | undefined;
    return Promise.resolve(row && toRecord(row));
  }

  replace(document: DocumentRecord, chunks: readonly EmbeddedChunk[]): Promise<void> {
    const size = chunks[0]?.vector.length;
    const known = this.#dimensions();
    if (size !== undefined && known !== undefined && size !== known) {
      throw new Error(`the embeddings have ${size} dimensions but this store holds ${known}: remove every document first, or use another knowledge.dir`);
    }
    this.#transaction(() => {
      if (size !== undefined && known === undefined) {
        this.#db.exec(`CREATE VIRTUAL TABLE vectors USING vec0(embedding float[${size}] distance_metric=cosine)`);
        this.#db.prepare(`INSERT INTO meta (key, value) VALUES ('dimensions', ?)`).run(String(size));
      }
      this.#delete(document.source);
      this.#db
        .prepare('INSERT INTO documents (source, content_hash, chunks, ingested_at) VALUES (?, ?, ?, ?)')
        .run(document.source, document.contentHash, document.chunks, document.ingestedAt);
      const insertChunk = this.#db.prepare('INSERT INTO chunks (source, position, heading, text) VALUES (?, ?, ?, ?)');
      const insertVector = this.#db.prepare('INSERT INTO vectors (rowid, embedding) VALUES (?, ?)');
      chunks.forEach((chunk, position) => {
        const { lastInsertRowid } = insertChunk.run(document.source, position, chunk.heading, chunk.text);
        insertVector.run(BigInt(lastInsertRowid), chunk.vector);
      });
    });
    return Promise.resolve();
  }

  remove(source: string): Promise<boolean> {
    let removed = false;
    this.#transaction(() => {
      removed = this.#delete(source);
    });
    return Promise.resolve(removed);
  }

  /** In a worker thread (sqlite-search-worker.ts), started by the first search: the main thread stays free. */
  search(vector: Float32Array, limit: number): Promise<Passage[]> {
    this.#searcher ??= new WorkerPool([WorkerThread.start<SearchRequest, Passage[]>({ workerUrl: SEARCH_WORKER, workerData: { path: this.#path }, error: searchError })], {
      maxQueued: MAX_QUEUED_SEARCHES,
      error: searchError,
    });
    return this.#searcher.run({ vector, limit }, NEVER_ABORTED);
  }

  isEmpty(): Promise<boolean> {
    return Promise.resolve(this.#db.prepare('SELECT 1 FROM chunks LIMIT 1').get() === undefined);
  }

  async close(): Promise<void> {
    await this.#searcher?.close();
    if (this.#db.isOpen) this.#db.close();
  }

  #delete(source: string): boolean {
    if (this.#dimensions() !== undefined) {
      this.#db.prepare('DELETE FROM vectors WHERE rowid IN (SELECT id FROM chunks WHERE source = ?)').run(source);
    }
    this.#db.prepare('DELETE FROM chunks WHERE source = ?').run(source);
    return this.#db.prepare('DELETE FROM documents WHERE source = ?').run(source).changes > 0;
  }

  #transaction(work: () => void): void {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      work();
      this.#db.exec('COMMIT');
    } catch (err) {
      this.#db.exec('ROLLBACK');
      throw err;
    }
  }
}

function toRecord(row: DocumentRow): DocumentRecord {
  return { source: row.source, contentHash: row.content_hash, chunks: row.chunks, ingestedAt: row.ingested_at };
}
