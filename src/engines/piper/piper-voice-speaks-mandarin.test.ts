import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Logger } from 'pino';
import { writeTestVoice } from '../../../test/support/piper-voice.ts';
import { EspeakIpa } from './espeak-ipa.ts';
import { PiperVoice } from './piper-voice.ts';

// Mandarin runs on the same espeak-ng WASM as English (its package carries every language): no system program.
test('Mandarin text goes through a cmn voice, one chunk per sentence, every phoneme known', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'piper-cmn-'));
  const { onnxPath } = await writeTestVoice(dir, { language: 'cmn' });
  const warnings: unknown[] = [];
  const log = { warn: (fields: unknown) => warnings.push(fields) } as unknown as Pick<Logger, 'warn'>;
  const voice = await PiperVoice.load(onnxPath, { threads: 1, phonemizerWorkers: 2, log });
  try {
    const chunks: Int16Array[] = [];
    for await (const chunk of voice.synthesize('你好，世界。今天天气很好！', { signal: new AbortController().signal })) {
      chunks.push(chunk);
    }
    assert.equal(chunks.length, 2);
    for (const chunk of chunks) assert.ok(chunk.length > 0);
    assert.deepEqual(warnings, []);
  } finally {
    await voice.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('Hanzi are phonemised as Mandarin, not read through pinyin as English', async () => {
  const espeak = await EspeakIpa.start();
  const ipa = espeak.clause('你好', 'cmn');
  assert.doesNotMatch(ipa, /\(en\)/);
  assert.match(ipa, /χ/, ipa);
});
