import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteKnowledgeStore } from './sqlite-store.ts';

const DIMENSIONS = 256;

/** A vector pointing mostly along axis `axis`. */
function vector(axis: number): Float32Array {
  const v = Float32Array.from({ length: DIMENSIONS }, (_, i) => ((i * 7 + axis) % 13) / 100);
  v[axis % DIMENSIONS] = 1;
  return v;
}

test('searches of the embedded store run beside the event loop: a 1 ms timer keeps ticking, and answers stay right', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'knowledge-search-'));
  const store = SqliteKnowledgeStore.open(dir, { create: true }) as SqliteKnowledgeStore;
  try {
    for (let doc = 0; doc < 20; doc++) {
      const chunks = Array.from({ length: 100 }, (_, i) => ({ heading: `doc ${doc}`, text: `chunk ${doc * 100 + i}`, vector: vector(doc * 100 + i) }));
      await store.replace({ source: `/docs/${doc}.md`, contentHash: String(doc), chunks: chunks.length, ingestedAt: new Date().toISOString() }, chunks);
    }
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 1);
    try {
      for (let i = 0; i < 20; i++) {
        const [best] = await store.search(vector(37), 3);
        assert.equal(best?.text, 'chunk 37');
      }
    } finally {
      clearInterval(timer);
    }
    // On the main thread, awaiting a synchronous search never lets a timer run.
    assert.ok(ticks > 0, 'the event loop was blocked while searching');
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
