import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAbortError } from '../../core/errors.ts';
import { EMPTY_TINY_EN_MODEL, JFK_WAV, ORDER_STATUS_WAV, readPcm16Mono16k } from '../../../test/support/whisper-model.ts';
import { WhisperPool } from './whisper-pool.ts';

// The real tiny.en graph on zero weights: each transcription runs the decoder to its limit (seconds of CPU),
// which is what makes a mid-way cancellation observable. The other pool tests use a generated tiny model.
test('the tiny.en fixture loads, transcribes jfk.wav, and a cancelled job drains before its context is reused', async () => {
  const pool = await WhisperPool.load({
    modelPath: EMPTY_TINY_EN_MODEL,
    poolSize: 2,
    threads: 1,
    variant: 'default',
    useGpu: false,
    maxQueue: 4,
  });
  try {
    const jfk = pool.transcribe(await readPcm16Mono16k(JFK_WAV), { language: 'en', signal: new AbortController().signal });

    const controller = new AbortController();
    const cancelled = pool.transcribe(await readPcm16Mono16k(ORDER_STATUS_WAV), { language: 'auto', signal: controller.signal });
    // Long enough for the native job to be under way; it needs seconds more.
    await sleep(500);
    controller.abort();
    await assert.rejects(cancelled, (err) => isAbortError(err));
    assert.equal(pool.stats().draining, 1, 'our promise settled while the native job still ran');

    const transcript = await jfk;
    assert.equal(typeof transcript.text, 'string');
    assert.ok(transcript.engineMs > 0);

    while (pool.stats().draining > 0) await sleep(100);
    assert.deepEqual(pool.stats(), { idle: 2, busy: 0, draining: 0, queued: 0 });
  } finally {
    await pool.close();
  }
});
