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
  dir = await mkdtemp(join(tmpdir(), 'whisper-scheduling-'));
  modelPath = await writeTinyWhisperModel({ dir, phrase: ' Hello.' });
  audio = (await readPcm16Mono16k(JFK_WAV)).subarray(0, 16_000);
});
after(() => rm(dir, { recursive: true, force: true }));

const load = (poolSize: number, maxQueue: number): Promise<WhisperPool> =>
  WhisperPool.load({ modelPath, poolSize, threads: 1, variant: 'default', useGpu: false, maxQueue });
const live = (): AbortSignal => new AbortController().signal;

test('sessions sharing one context are served round-robin, not in arrival order', async () => {
  const pool = await load(1, 16);
  try {
    const served: string[] = [];
    const request = (sessionId: string, name: string): Promise<void> =>
      pool.transcribe(audio, { language: 'en', signal: live(), sessionId }).then(() => void served.push(name));
    // The first takes the context; the rest queue: a burst from A, then B and C.
    const all = [request('a', 'a0'), request('a', 'a1'), request('a', 'a2'), request('a', 'a3'), request('b', 'b1'), request('c', 'c1')];
    assert.equal(pool.stats().queued, 5);
    await Promise.all(all);
    assert.deepEqual(served, ['a0', 'a1', 'b1', 'c1', 'a2', 'a3']);
  } finally {
    await pool.close();
  }
});

test('two contexts serve two sessions at once', async () => {
  const pool = await load(2, 4);
  try {
    const first = pool.transcribe(audio, { language: 'en', signal: live(), sessionId: 'a' });
    const second = pool.transcribe(audio, { language: 'en', signal: live(), sessionId: 'b' });
    assert.deepEqual(pool.stats(), { idle: 0, busy: 2, draining: 0, queued: 0 });
    assert.deepEqual((await Promise.all([first, second])).map((t) => t.text), ['Hello.', 'Hello.']);
    assert.deepEqual(pool.stats(), { idle: 2, busy: 0, draining: 0, queued: 0 });
  } finally {
    await pool.close();
  }
});

test('a partial never waits: undefined while the context is busy, a transcript when idle', async () => {
  const pool = await load(1, 4);
  try {
    const final = pool.transcribe(audio, { language: 'en', signal: live() });
    assert.equal(await pool.transcribePartial(audio, { language: 'en', signal: live() }), undefined);
    assert.equal(pool.stats().queued, 0);
    await final;
    assert.equal((await pool.transcribePartial(audio, { language: 'en', signal: live() }))?.text, 'Hello.');
  } finally {
    await pool.close();
  }
});

test('beyond maxQueue waiting requests a transcription fails with asr_busy', async () => {
  const pool = await load(1, 1);
  try {
    const running = pool.transcribe(audio, { language: 'en', signal: live() });
    const waiting = pool.transcribe(audio, { language: 'en', signal: live() });
    await assert.rejects(pool.transcribe(audio, { language: 'en', signal: live() }), { name: 'GatewayError', code: 'asr_busy' });
    await Promise.all([running, waiting]);
  } finally {
    await pool.close();
  }
});

test('aborting a queued request removes it at once and the queue moves on', async () => {
  const pool = await load(1, 4);
  try {
    const running = pool.transcribe(audio, { language: 'en', signal: live() });
    const controller = new AbortController();
    const abandoned = pool.transcribe(audio, { language: 'en', signal: controller.signal });
    const next = pool.transcribe(audio, { language: 'en', signal: live() });
    controller.abort();
    await assert.rejects(abandoned, (err) => isAbortError(err));
    assert.equal(pool.stats().queued, 1);
    assert.equal((await next).text, 'Hello.');
    await running;
  } finally {
    await pool.close();
  }
});

test('a request whose signal is already aborted is refused without running', async () => {
  const pool = await load(1, 4);
  try {
    await assert.rejects(pool.transcribe(audio, { language: 'en', signal: AbortSignal.abort() }), (err) => isAbortError(err));
    await assert.rejects(pool.transcribePartial(audio, { language: 'en', signal: AbortSignal.abort() }), (err) => isAbortError(err));
    assert.deepEqual(pool.stats(), { idle: 1, busy: 0, draining: 0, queued: 0 });
  } finally {
    await pool.close();
  }
});
