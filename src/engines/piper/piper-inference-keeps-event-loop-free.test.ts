import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SAMPLES_PER_ID, writeTestVoice } from '../../../test/support/piper-voice.ts';
import { PiperInference } from './piper-inference.ts';

test('a 1 ms timer keeps ticking while a long sentence is synthesised', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'piper-inference-'));
  const { onnxPath } = await writeTestVoice(dir);
  const inference = await PiperInference.load(onnxPath, { threads: 1, workers: 1 });
  let ticks = 0;
  const timer = setInterval(() => (ticks += 1), 1);
  try {
    // A long length_scale makes the test model compute millions of samples: tens of ms of onnxruntime work,
    // which on the main thread would let the timer fire not once.
    const ids = Array.from({ length: 200 }, (_, i) => 3 + (i % 40));
    const lengthScale = 300;
    const started = performance.now();
    const ticksBefore = ticks;
    const audio = await inference.run(ids, Float32Array.of(0.667, lengthScale, 0.8), undefined, new AbortController().signal);
    const ticksDuring = ticks - ticksBefore;
    const elapsedMs = performance.now() - started;
    assert.equal(audio.length, ids.length * SAMPLES_PER_ID * lengthScale);
    assert.ok(ticksDuring > 0, 'the event loop was blocked while the model ran');
    t.diagnostic(`${audio.length} samples in ${elapsedMs.toFixed(0)} ms; ${ticksDuring} ticks of a 1 ms timer meanwhile`);
  } finally {
    clearInterval(timer);
    await inference.close();
    await rm(dir, { recursive: true, force: true });
  }
});
