import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initWhisper } from '../../src/engines/whisper/whisper-binding.ts';
import { EMPTY_TINY_MODEL, ORDER_STATUS_WAV, readPcm16Mono16k, writeTinyWhisperModel } from './whisper-model.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'whisper-model-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('whisper.cpp loads the generated model and says the phrase it was built with', async () => {
  const audio = await readPcm16Mono16k(ORDER_STATUS_WAV);
  for (const templatePath of [undefined, EMPTY_TINY_MODEL]) {
    const phrase = ' Order 1234, [please] check it.';
    const filePath = await writeTinyWhisperModel({ dir, phrase, ...(templatePath && { templatePath }) });
    const context = await initWhisper({ filePath, useGpu: false });
    try {
      const result = await context.transcribeData(audio.slice().buffer, { language: 'en', maxThreads: 1 }).promise;
      assert.equal(result.result, phrase);
    } finally {
      await context.release();
    }
  }
});

test('a phrase longer than the tiny model can hold is refused', async () => {
  await assert.rejects(writeTinyWhisperModel({ dir, phrase: ' word'.repeat(40) }), /too long/);
});
