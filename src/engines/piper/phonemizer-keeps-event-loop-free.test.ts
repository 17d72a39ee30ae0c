import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeTestVoice } from '../../../test/support/piper-voice.ts';
import { PhonemizerWorkerPool } from './phonemizer-pool.ts';
import { PiperVoice } from './piper-voice.ts';

// About 12 words each, as in ENGINES.md's measurement of `phonemizer` on the main thread (zero ticks there).
const PHRASES = [
  'The weather this afternoon should stay dry with a light breeze from the west',
  'Please remind me to call the dentist tomorrow morning before my first meeting',
  'Our train leaves at half past seven so we should pack the bags tonight',
  'She found an old map of the harbour folded inside a second hand book',
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

test('a 1 ms timer keeps ticking while 40 phrases are phonemised in the worker', async (t) => {
  const pool = await PhonemizerWorkerPool.start('en-us', 1);
  let ticks = 0;
  const timer = setInterval(() => (ticks += 1), 1);
  try {
    const signal = new AbortController().signal;
    const durations: number[] = [];
    const started = performance.now();
    for (let i = 0; i < 40; i++) {
      const phraseStarted = performance.now();
      const [ipa] = await pool.phonemize([PHRASES[i % PHRASES.length] ?? ''], signal);
      durations.push(performance.now() - phraseStarted);
      assert.ok(ipa !== undefined && ipa.length > 0);
    }
    const elapsed = performance.now() - started;
    assert.ok(ticks > 0, 'the event loop was blocked while phonemising');
    durations.sort((a, b) => a - b);
    t.diagnostic(
      `phonemise per phrase: p50 ${percentile(durations, 0.5).toFixed(1)} ms, p95 ${percentile(durations, 0.95).toFixed(1)} ms; ` +
        `${ticks} ticks of a 1 ms timer in ${elapsed.toFixed(0)} ms`,
    );
  } finally {
    clearInterval(timer);
    await pool.close();
  }
});

test('a sentence aborted while waiting for a worker never runs and rejects with AbortError', async () => {
  const pool = await PhonemizerWorkerPool.start('en-us', 1);
  try {
    const signal = new AbortController().signal;
    const running = pool.phonemize([PHRASES[0] ?? ''], signal);
    const controller = new AbortController();
    const queued = pool.phonemize([PHRASES[1] ?? ''], controller.signal);
    controller.abort();
    await assert.rejects(queued, { name: 'AbortError' });
    assert.equal((await running).length, 1);
    assert.deepEqual(await pool.phonemize(['yes'], signal), ['jˈɛs']);
  } finally {
    await pool.close();
  }
});

test('synthesis time on the test model (reported, not asserted)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'piper-timing-'));
  const { onnxPath } = await writeTestVoice(dir);
  const voice = await PiperVoice.load(onnxPath, { threads: 1, phonemizerWorkers: 2 });
  try {
    const signal = new AbortController().signal;
    const text = PHRASES.map((phrase) => `${phrase}.`).join(' ');
    const firstChunkMs: number[] = [];
    const totalMs: number[] = [];
    for (let round = 0; round < 10; round++) {
      const started = performance.now();
      let chunks = 0;
      for await (const _chunk of voice.synthesize(text, { signal })) {
        if (chunks++ === 0) firstChunkMs.push(performance.now() - started);
      }
      totalMs.push(performance.now() - started);
      assert.equal(chunks, PHRASES.length);
    }
    firstChunkMs.sort((a, b) => a - b);
    totalMs.sort((a, b) => a - b);
    t.diagnostic(
      `${PHRASES.length} sentences: first chunk p50 ${percentile(firstChunkMs, 0.5).toFixed(1)} ms, ` +
        `all p50 ${percentile(totalMs, 0.5).toFixed(1)} ms, p95 ${percentile(totalMs, 0.95).toFixed(1)} ms`,
    );
  } finally {
    await voice.close();
    await rm(dir, { recursive: true, force: true });
  }
});
