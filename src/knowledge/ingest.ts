import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chunkSections } from './chunking.ts';
import type { EmbeddingsClient } from './embeddings.ts';
import { extractSections, isSupported } from './extract.ts';
import type { DocumentRecord, KnowledgeStore } from './store.ts';

/** Bumped when chunking changes, so every document is chunked again on the next ingestion. */
const CHUNKING_VERSION = 1;

export type IngestOutcome =
  | { source: string; status: 'added' | 'updated'; chunks: number }
  | { source: string; status: 'unchanged' }
  | { source: string; status: 'failed'; error: string };

/**
 * The files named: files as given (any type, so an unsupported one is reported), folders searched recursively for
 * supported files (hidden entries skipped). Paths that do not exist are reported as failures.
 */
export async function collectFiles(paths: readonly string[]): Promise<{ files: string[]; missing: IngestOutcome[] }> {
  const files = new Set<string>();
  const missing: IngestOutcome[] = [];
  const visit = async (path: string, named: boolean): Promise<void> => {
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      missing.push({ source: path, status: 'failed', error: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      return;
    }
    if (info.isDirectory()) {
      const entries = (await readdir(path)).filter((name) => !name.startsWith('.')).sort();
      for (const entry of entries) await visit(join(path, entry), false);
    } else if (named || isSupported(path)) {
      files.add(path);
    }
  };
  for (const path of paths) await visit(resolve(path), true);
  return { files: [...files], missing };
}

/** Reads, chunks, embeds and stores documents; an unchanged file (same bytes, model and chunking) is skipped. */
export class Ingestor {
  readonly #store: KnowledgeStore;
  readonly #embeddings: EmbeddingsClient;
  readonly #chunkChars: number;

  constructor(store: KnowledgeStore, embeddings: EmbeddingsClient, chunkChars: number) {
    this.#store = store;
    this.#embeddings = embeddings;
    this.#chunkChars = chunkChars;
  }

  /** Never throws for a bad file: its failure is the outcome, and the store keeps what it had for it. */
  async ingest(source: string, signal?: AbortSignal): Promise<IngestOutcome> {
    try {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(source);
      } catch (err) {
        return { source, status: 'failed', error: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
      }
      const contentHash = createHash('sha256')
        .update(`chunking ${CHUNKING_VERSION} ${this.#chunkChars}\0model ${this.#embeddings.identity}\0`)
        .update(bytes)
        .digest('hex');
      const previous = await this.#store.document(source);
      if (previous?.contentHash === contentHash) return { source, status: 'unchanged' };
      const chunks = chunkSections(await extractSections(source, bytes), this.#chunkChars);
      if (chunks.length === 0) return { source, status: 'failed', error: 'no text found' };
      // The heading goes into the embedded text: "Returns > Refunds" says what a bare paragraph may not.
      const vectors = await this.#embeddings.embed(chunks.map((c) => (c.heading ? `${c.heading}\n${c.text}` : c.text)), signal);
      const record: DocumentRecord = { source, contentHash, chunks: chunks.length, ingestedAt: new Date().toISOString() };
      await this.#store.replace(record, chunks.map((chunk, i) => ({ ...chunk, vector: vectors[i] as Float32Array })));
      return { source, status: previous ? 'updated' : 'added', chunks: chunks.length };
    } catch (err) {
      if (signal?.aborted) throw err;
      return { source, status: 'failed', error: (err as Error).message };
    }
  }
}
