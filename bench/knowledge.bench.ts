/**
 * Retrieval latency of the embedded knowledge store (issue 17): `npm run bench -- --knowledge`.
 *
 * Builds a corpus of `chunks` chunks (default 10 000) in a fresh embedded store (SQLite + sqlite-vec, exact cosine
 * search), in documents of 100 chunks, with vectors of `dimensions` from the hashed bag-of-words of the embeddings
 * stand-in, then times distinct queries two ways:
 * - store: the vector search alone (`KnowledgeStore.search`, top 4), what the store costs a turn;
 * - retrieval: what `search_knowledge` waits for, embedding the query over loopback HTTP with the stand-in (no
 *   cache hits: every query is new) and searching; a real embedding model adds its own inference time on top.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../src/config/schema.ts';
import { EmbeddingsClient } from '../src/knowledge/embeddings.ts';
import { KnowledgeBase } from '../src/knowledge/knowledge-base.ts';
import { SqliteKnowledgeStore } from '../src/knowledge/sqlite-store.ts';
import { standInVector, startEmbeddingsServer } from '../test/support/embeddings-server.ts';
import { summarize, type Summary } from './lib/stats.ts';

const CHUNKS_PER_DOCUMENT = 100;
const TOP_K = 4;

const WORDS = (
  'order refund return exchange warranty battery headset charger cable store opening hours holiday delivery ' +
  'courier parcel invoice payment card account password login email address phone repair centre warehouse ' +
  'gate code stock size colour price discount voucher subscription cancel renew shipping customs tracking ' +
  'number weekday weekend morning evening policy manual pairing button light speaker microphone firmware update'
).split(' ');
const HAN = '退货保修电池耳机充电器门店营业时间节假日快递包裹发票付款账户密码地址电话维修中心仓库库存尺码颜色价格折扣订阅取消配送海关跟踪';

/** A small deterministic PRNG (mulberry32): the same corpus on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A chunk of about 80 English words, or 150 Chinese characters for every fifth chunk. */
function chunkText(next: () => number, index: number): string {
  if (index % 5 === 4) return Array.from({ length: 150 }, () => HAN[Math.floor(next() * HAN.length)]).join('');
  return Array.from({ length: 80 }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
}

export interface KnowledgeBenchResult {
  chunks: number;
  dimensions: number;
  queries: number;
  buildS: number;
  storeMs: Summary;
  /** The longest the main thread went without running a 1 ms timer while the store searched: live audio waits that long. */
  storeStallMaxMs: number;
  retrievalMs: Summary;
}

/** Runs `work` beside a 1 ms timer and answers the longest gap between its ticks. */
async function longestStall(work: () => Promise<void>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(longest, performance.now() - last);
}

export async function runKnowledgeBench(options: { chunks: number; dimensions: number; queries: number }): Promise<KnowledgeBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 's2s-knowledge-bench-'));
  const embeddings = await startEmbeddingsServer();
  const store = SqliteKnowledgeStore.open(dir, { create: true }) as SqliteKnowledgeStore;
  try {
    const next = random(17);
    const buildStarted = performance.now();
    for (let doc = 0; doc * CHUNKS_PER_DOCUMENT < options.chunks; doc++) {
      const count = Math.min(CHUNKS_PER_DOCUMENT, options.chunks - doc * CHUNKS_PER_DOCUMENT);
      const chunks = Array.from({ length: count }, (_, i) => {
        const text = chunkText(next, doc * CHUNKS_PER_DOCUMENT + i);
        return { heading: `Document ${doc} > Part ${i}`, text, vector: Float32Array.from(standInVector(text, options.dimensions)) };
      });
      const record = { source: `/bench/doc-${doc}.md`, contentHash: String(doc), chunks: count, ingestedAt: new Date().toISOString() };
      await store.replace(record, chunks);
    }
    const buildS = (performance.now() - buildStarted) / 1000;

    const queries = Array.from({ length: options.queries + 5 }, (_, i) =>
      i % 5 === 4 ? `${HAN.slice(i % 40, (i % 40) + 6)}怎么办？` : `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} question ${i}`,
    );
    const storeMs: number[] = [];
    const vectors = queries.map((query) => Float32Array.from(standInVector(query, options.dimensions)));
    // The first few warm the page cache and the JIT.
    for (const vector of vectors.slice(0, 5)) await store.search(vector, TOP_K);
    const storeStallMaxMs = await longestStall(async () => {
      for (const vector of vectors.slice(5)) {
        const started = performance.now();
        await store.search(vector, TOP_K);
        storeMs.push(performance.now() - started);
        // Searches come from separate turns: the timer gets its turn between them, so a gap is one search's.
        await yieldToEventLoop();
      }
    });

    // The stand-in is asked for vectors of the corpus's size, as OpenAI's `dimensions` field asks a model.
    const config = configSchema.parse({
      embeddings: { baseUrl: embeddings.url, dimensions: options.dimensions },
      knowledge: { dir, topK: TOP_K, timeoutMs: 10_000 },
    });
    const knowledge = new KnowledgeBase(config.knowledge, new EmbeddingsClient(config.embeddings), () => store);
    const retrievalMs: number[] = [];
    for (const [i, query] of queries.entries()) {
      const started = performance.now();
      await knowledge.search(`${query} (retrieval)`, new AbortController().signal);
      if (i >= 5) retrievalMs.push(performance.now() - started);
    }
    return { chunks: options.chunks, dimensions: options.dimensions, queries: options.queries, buildS, storeMs: summarize(storeMs), storeStallMaxMs, retrievalMs: summarize(retrievalMs) };
  } finally {
    await store.close();
    await embeddings.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (value: number) => value.toFixed(2);

export function renderKnowledgeBench(r: KnowledgeBenchResult): string {
  return [
    `knowledge retrieval, embedded store (SQLite + sqlite-vec, exact cosine), ${r.chunks} chunks of ${r.dimensions} dimensions, top ${TOP_K}, ${r.queries} distinct queries (corpus built in ${r.buildS.toFixed(1)} s)`,
    `  store search only:                p50 ${ms(r.storeMs.p50)} ms  p95 ${ms(r.storeMs.p95)} ms  max ${ms(r.storeMs.max)} ms`,
    `  main thread blocked meanwhile:    longest ${ms(r.storeStallMaxMs)} ms`,
    `  retrieval (loopback embed+search): p50 ${ms(r.retrievalMs.p50)} ms  p95 ${ms(r.retrievalMs.p95)} ms  max ${ms(r.retrievalMs.max)} ms`,
  ].join('\n');
}
