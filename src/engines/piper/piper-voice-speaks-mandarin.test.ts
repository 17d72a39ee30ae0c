import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeTestVoice } from '../../../test/support/piper-voice.ts';
import { EspeakCliPhonemizer } from './espeak-cli-phonemizer.ts';
import { PiperVoice } from './piper-voice.ts';

// The `phonemizer` package bundles English only: a `cmn` voice runs on the system's espeak-ng (Debian package).
test('Mandarin text goes through a cmn voice, one chunk per sentence, every phoneme known', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'piper-cmn-'));
  const { onnxPath } = await writeTestVoice(dir, { language: 'cmn' });
  const voice = await PiperVoice.load(onnxPath, { threads: 1, phonemizerWorkers: 2 });
  try {
    assert.equal(voice.phonemizerBackend, 'espeak-ng');
    const chunks: Int16Array[] = [];
    for await (const chunk of voice.synthesize('你好，世界。今天天气很好！', { signal: new AbortController().signal })) {
      chunks.push(chunk);
    }
    assert.equal(chunks.length, 2);
    for (const chunk of chunks) assert.ok(chunk.length > 0);
    assert.equal(voice.droppedPhonemes, 0);
  } finally {
    await voice.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('Hanzi are phonemised as Mandarin, not read through pinyin as English', async () => {
  const phonemizer = await EspeakCliPhonemizer.start('cmn', 1);
  try {
    const [ipa = ''] = await phonemizer.phonemize(['你好'], new AbortController().signal);
    assert.doesNotMatch(ipa, /\(en\)/);
    assert.match(ipa, /χ/, ipa);
  } finally {
    await phonemizer.close();
  }
});
