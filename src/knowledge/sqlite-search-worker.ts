/**
 * Worker thread that answers the embedded store's searches. sqlite-vec's exact search reads every vector (about
 * 30 ms for 10 000 chunks on one core); on the main thread that would hold every session's audio for as long. WAL
 * mode lets this connection read while the gateway's or the ingestion CLI's writes.
 */
import { DatabaseSync } from 'node:sqlite';
import { workerData } from 'node:worker_threads';
import * as sqliteVec from 'sqlite-vec';
import { serveRequests } from '../engines/worker-threads/serve-requests.ts';
import type { Passage } from './store.ts';

export interface SearchRequest {
  vector: Float32Array;
  limit: number;
}

const db = new DatabaseSync((workerData as { path: string }).path, { allowExtension: true, timeout: 5_000 });
sqliteVec.load(db);

serveRequests(async ({ vector, limit }: SearchRequest) => {
  // No vector table until the first document with chunks was ingested.
  if (db.prepare(`SELECT 1 FROM meta WHERE key = 'dimensions'`).get() === undefined) return { result: [] as Passage[] };
  const rows = db
    .prepare(
      `SELECT c.source, c.heading, c.text, v.distance
         FROM (SELECT rowid, distance FROM vectors WHERE embedding MATCH ? AND k = ?) v
         JOIN chunks c ON c.id = v.rowid
        ORDER BY v.distance`,
    )
    .all(vector, limit) as { source: string; heading: string; text: string; distance: number }[];
  return { result: rows.map((r): Passage => ({ source: r.source, heading: r.heading, text: r.text, score: 1 - r.distance })) };
});
