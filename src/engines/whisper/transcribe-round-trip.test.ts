import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY_TINY_MODEL, JFK_WAV, readPcm16Mono16k, writeTinyWhisperModel } from '../../../test/support/whisper-model.ts';
import { MAX_AUDIO_SAMPLES, WhisperPool } from './whisper-pool.ts';

let dir: string;
let jfk: Int16Array;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'whisper-round-trip-'));
  jfk = await readPcm16Mono16k(JFK_WAV);
});
after(() => rm(dir, { recursive: true, force: true }));

async function loadPool(templatePath?: string): Promise<WhisperPool> {
  const modelPath = await writeTinyWhisperModel({ dir, phrase: ' [BLANK_AUDIO] Hello world.', ...(templatePath && { templatePath }) });
  return WhisperPool.load({ modelPath, poolSize: 1, threads: 1, variant: 'default', useGpu: false, maxQueue: 4 });
}

test('audio in, whisper runs, the cleaned transcript comes out', async () => {
  const pool = await loadPool();
  try {
    const transcript = await pool.transcribe(jfk, { language: 'en', signal: new AbortController().signal });
    assert.equal(transcript.text, 'Hello world.');
    assert.ok(transcript.engineMs > 0);
  } finally {
    await pool.close();
  }
});

test('language auto works with an English-only and with a multilingual model', async () => {
  for (const template of [undefined, EMPTY_TINY_MODEL]) {
    const pool = await loadPool(template);
    try {
      const transcript = await pool.transcribe(jfk, { language: 'auto', signal: new AbortController().signal });
      assert.equal(transcript.text, 'Hello world.');
    } finally {
      await pool.close();
    }
  }
});

test('audio longer than 30 s is still transcribed (its last 30 s)', async () => {
  const pool = await loadPool();
  try {
    const long = new Int16Array(MAX_AUDIO_SAMPLES + 5 * 16_000);
    long.set(jfk, long.length - jfk.length);
    const transcript = await pool.transcribe(long, { language: 'en', signal: new AbortController().signal });
    assert.equal(transcript.text, 'Hello world.');
  } finally {
    await pool.close();
  }
});
