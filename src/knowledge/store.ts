/** One ingested file, as the store remembers it. */
export interface DocumentRecord {
  /** Where it came from (an absolute path): the document's identity. */
  source: string;
  /** sha256 of the file's bytes: an unchanged file is not ingested again. */
  contentHash: string;
  chunks: number;
  /** ISO 8601. */
  ingestedAt: string;
}

/** A piece of a document, sized for a prompt. */
export interface Chunk {
  /** The headings above the text, outermost first, joined by " > ". */
  heading: string;
  text: string;
}

/** A chunk found by a search, with its cosine similarity to the query (1 is identical). */
export interface Passage extends Chunk {
  source: string;
  score: number;
}

export interface EmbeddedChunk extends Chunk {
  vector: Float32Array;
}

/**
 * Where chunks and their vectors live: the embedded store (one SQLite file, no server) or Qdrant. Both give the same
 * answers; writing a document replaces all of its chunks at once.
 */
export interface KnowledgeStore {
  readonly kind: 'embedded' | 'qdrant';
  documents(): Promise<DocumentRecord[]>;
  document(source: string): Promise<DocumentRecord | undefined>;
  /** Stores a document's chunks in place of any it had. */
  replace(document: DocumentRecord, chunks: readonly EmbeddedChunk[]): Promise<void>;
  /** Whether the document was there. */
  remove(source: string): Promise<boolean>;
  /** The `limit` chunks nearest to `vector`, best first. */
  search(vector: Float32Array, limit: number): Promise<Passage[]>;
  /** Whether any chunk is stored: no documents means no tool for the agent. */
  isEmpty(): Promise<boolean>;
  close(): Promise<void>;
}
