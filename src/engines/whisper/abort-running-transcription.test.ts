import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAbortError } from '../../core/errors.ts';
import { JFK_WAV, readPcm16Mono16k, writeTinyWhisperModel } from '../../../test/support/whisper-model.ts';
import { WhisperPool } from './whisper-pool.ts';

let dir: string;
let modelPath: string;
let audio: Int16Array;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'whisper-abort-'));
  modelPath = await writeTinyWhisperModel({ dir, phrase: ' Hello.' });
  audio = await readPcm16Mono16k(JFK_WAV);
});
after(() => rm(dir, { recursive: true, force: true }));

const load = (): Promise<WhisperPool> =>
  WhisperPool.load({ modelPath, poolSize: 1, threads: 1, variant: 'default', useGpu: false, maxQueue: 4 });

test('an aborted transcription settles at once, and its context waits for the native work before serving again', async () => {
  const pool = await load();
  try {
    const controller = new AbortController();
    const aborted = pool.transcribe(audio, { language: 'en', signal: controller.signal, sessionId: 'a' });
    controller.abort();
    await assert.rejects(aborted, (err) => isAbortError(err));
    // Settled while the native job still holds the context: it is draining, not idle.
    assert.deepEqual(pool.stats(), { idle: 0, busy: 0, draining: 1, queued: 0 });

    const next = pool.transcribe(audio, { language: 'en', signal: new AbortController().signal, sessionId: 'b' });
    assert.equal(pool.stats().queued, 1);
    assert.equal((await next).text, 'Hello.');
    assert.deepEqual(pool.stats(), { idle: 1, busy: 0, draining: 0, queued: 0 });
  } finally {
    await pool.close();
  }
});

test('an aborted partial drains the same way', async () => {
  const pool = await load();
  try {
    const controller = new AbortController();
    const partial = pool.transcribePartial(audio, { language: 'en', signal: controller.signal });
    controller.abort(new Error('turn ended'));
    await assert.rejects(partial, (err) => isAbortError(err));
    assert.equal(pool.stats().draining, 1);
    assert.equal((await pool.transcribe(audio, { language: 'en', signal: new AbortController().signal })).text, 'Hello.');
  } finally {
    await pool.close();
  }
});

test('close fails running and waiting requests and refuses new ones', async () => {
  const pool = await load();
  const running = pool.transcribe(audio, { language: 'en', signal: new AbortController().signal });
  const waiting = pool.transcribe(audio, { language: 'en', signal: new AbortController().signal });
  await pool.close();
  await assert.rejects(running, { name: 'GatewayError', code: 'asr_failed' });
  await assert.rejects(waiting, { name: 'GatewayError', code: 'asr_failed' });
  await assert.rejects(pool.transcribe(audio, { language: 'en', signal: new AbortController().signal }), {
    code: 'asr_failed',
  });
  assert.equal(pool.stats().queued, 0);
});
