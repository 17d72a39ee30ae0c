import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../core/errors.ts';
import type { PhonemizeRequest } from './phonemize-worker.ts';
import { startThreadPool } from './thread-pool.ts';

const ttsFailed = (err: unknown) => err instanceof GatewayError && err.code === 'tts_failed';

test('a sentence past the queue, and one running at close, fail with tts_failed naming the work', async () => {
  const pool = startThreadPool<PhonemizeRequest, string[]>({
    workerUrl: new URL('./phonemize-worker.ts', import.meta.url),
    size: 1,
    maxQueued: 0,
    label: 'the phonemizer',
  });
  const sentence = { language: 'en-us', clauses: ['hello'] };
  const running = assert.rejects(pool.run(sentence, new AbortController().signal), ttsFailed);
  await assert.rejects(pool.run(sentence, new AbortController().signal), (err) => {
    return ttsFailed(err) && /the phonemizer/.test((err as Error).message);
  });
  await pool.close();
  await running;
});
