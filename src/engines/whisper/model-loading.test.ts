import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyWhisperModel } from '../../../test/support/whisper-model.ts';
import { WhisperPool } from './whisper-pool.ts';
import type { WhisperPoolOptions } from './whisper-pool.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'whisper-loading-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const options = (modelPath: string): WhisperPoolOptions => ({
  modelPath,
  poolSize: 2,
  threads: 1,
  variant: 'default',
  useGpu: false,
  maxQueue: 4,
});

test('a missing model file fails with model_not_ready naming the path', async () => {
  const missing = join(dir, 'ggml-nowhere.bin');
  await assert.rejects(WhisperPool.load(options(missing)), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'model_not_ready');
    assert.match(err.message, /not found/);
    assert.ok(err.message.includes(missing));
    return true;
  });
});

test('a file that is not a whisper.cpp model fails with model_not_ready naming the path', async () => {
  const bogus = join(dir, 'bogus.bin');
  await writeFile(bogus, 'not a model at all');
  await assert.rejects(WhisperPool.load(options(bogus)), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'model_not_ready');
    assert.ok(err.message.includes(bogus));
    return true;
  });
});

test('load builds poolSize idle contexts and stops early on an aborted signal', async () => {
  const modelPath = await writeTinyWhisperModel({ dir, phrase: ' Hello.' });
  const pool = await WhisperPool.load(options(modelPath));
  assert.deepEqual(pool.stats(), { idle: 2, busy: 0, draining: 0, queued: 0 });
  await pool.close();
  await assert.rejects(WhisperPool.load({ ...options(modelPath), signal: AbortSignal.abort() }), { name: 'AbortError' });
});
