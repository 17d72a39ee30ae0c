import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { EspeakIpa } from '../../src/engines/piper/espeak-ipa.ts';
import { ENGLISH_IPA, SAMPLES_PER_ID, writeTestVoice } from './piper-voice.ts';

const BROAD_ENGLISH = [
  'The quick brown fox jumps over the lazy dog, pack my box with five dozen liquor jugs.',
  'Sphinx of black quartz judge my vow; the five boxing wizards jump quickly: yes!',
  'Thirty-three thousand four hundred and twelve people measured the azure genre of beige rouge.',
  'Mr. Smith paid $4.50 for 3 apples at 7:30 a.m. on November 21st, 2024.',
  'Yacht buoy poor tour hour fire our aunt garage loch bath cure square near start nurse north force.',
  'Thought cloth lot palm trap goose foot strut kit dress fleece face price choice goat mouth letter comma.',
  'Happy button little rhythm prism xylophone queue onion usual treasure nature bottle water mountain.',
  'Naïve café résumé façade, uh-oh, hmm, oops, colonel, schedule, vitamin, tomato, Wednesday, February.',
];

test('the English symbol list covers every phoneme espeak gives for a broad English text', async () => {
  const espeak = await EspeakIpa.start();
  const known = new Set(ENGLISH_IPA);
  const unknown = new Set<string>();
  for (const line of BROAD_ENGLISH) {
    for (const phoneme of espeak.clause(line, 'en-us').normalize('NFD')) if (phoneme !== ' ' && !known.has(phoneme)) unknown.add(phoneme);
  }
  assert.deepEqual([...unknown], []);
});

test('the written voice has Piper\'s config shape and a model whose output follows ids, lengths and scales', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'piper-support-'));
  try {
    const { onnxPath, configPath } = await writeTestVoice(dir, { speakers: ['a', 'b', 'c'], sampleRateHz: 16_000 });
    const config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
    assert.equal(config.num_speakers, 3);
    assert.deepEqual(config.speaker_id_map, { a: 0, b: 1, c: 2 });
    assert.deepEqual((config.audio as { sample_rate: number }).sample_rate, 16_000);
    assert.deepEqual((config.phoneme_id_map as Record<string, number[]>)['^'], [1]);

    const session = await InferenceSession.create(onnxPath);
    try {
      assert.deepEqual([...session.inputNames].sort(), ['input', 'input_lengths', 'scales', 'sid']);
      const run = async (ids: number[], lengthScale: number, sid: number): Promise<Float32Array> => {
        const result = await session.run({
          input: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
          input_lengths: new Tensor('int64', BigInt64Array.of(BigInt(ids.length)), [1]),
          scales: new Tensor('float32', Float32Array.of(0.5, lengthScale, 0), [3]),
          sid: new Tensor('int64', BigInt64Array.of(BigInt(sid)), [1]),
        });
        assert.deepEqual(result.output?.dims, [1, 1, 1, ids.length * SAMPLES_PER_ID * lengthScale]);
        return result.output?.data as Float32Array;
      };
      const base = await run([1, 0, 5, 0, 2], 1, 0);
      assert.equal((await run([1, 0, 5, 0, 2], 3, 0)).length, base.length * 3);
      assert.notDeepEqual(await run([1, 0, 9, 0, 2], 1, 0), base);
      assert.notDeepEqual(await run([1, 0, 5, 0, 2], 1, 2), base);
      assert.ok(Math.max(...base) <= 0.5 && Math.max(...base) > 0.4);
    } finally {
      await session.release();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
