import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import type { Synthesizer } from '../../contracts/tts.ts';
import { GatewayError } from '../../core/errors.ts';
import { SAMPLES_PER_TOKEN, testStyleValue, writeRawTestVoice, writeTestKokoro } from '../../../test/support/kokoro-model.ts';
import { writeTestVoice } from '../../../test/support/piper-voice.ts';
import { kokoro } from './engine.ts';
import { MAX_TOKENS } from './vocab.ts';

const context = () => ({ signal: new AbortController().signal, log: pino({ level: 'silent' }) });

async function voicesOf(options: Parameters<typeof writeTestKokoro>[1] = {}, config: Record<string, unknown> = {}) {
  const { modelPath, voicePackPath } = await writeTestKokoro(mkdtempSync(join(tmpdir(), 's2s-kokoro-')), options);
  const c = kokoro.config.parse({ engine: 'kokoro', model: modelPath, voicePack: voicePackPath, phonemizerWorkers: 1, ...config });
  return kokoro.voices(c, { [modelPath]: modelPath, [voicePackPath]: voicePackPath });
}

/** Each model run's audio, in order. */
async function runs(voice: Synthesizer, text: string, speed?: number): Promise<Int16Array[]> {
  const chunks: Int16Array[] = [];
  for await (const pcm of voice.synthesize(text, { signal: new AbortController().signal, speed })) chunks.push(pcm);
  return chunks;
}

const peak = (pcm: Int16Array) => pcm.reduce((max, s) => Math.max(max, Math.abs(s)), 0) / 32767;
/** The generated model speaks SAMPLES_PER_TOKEN samples per id, the two pads included. */
const tokensOf = (pcm: Int16Array, speed = 1) => Math.round((pcm.length * speed) / SAMPLES_PER_TOKEN) - 2;

describe('a Kokoro voice speaking through a model with Kokoro-82M\'s inputs and output', () => {
  let voices: Synthesizer[];
  let close: () => Promise<void>;
  before(async () => {
    const specs = await voicesOf();
    voices = await Promise.all(specs.map((spec) => spec.load(context())));
    close = async () => void (await Promise.all(voices.map((v) => v.close())));
  });
  after(() => close());
  const voice = (name: string) => voices.find((v) => v.name === name) as Synthesizer;

  test('text becomes phoneme ids, the ids 24 kHz speech in the style row their count picks, sentence by sentence', async () => {
    const heart = voice('af_heart');
    assert.equal(heart.sampleRateHz, 24_000);
    const [hello, fine, ...rest] = await runs(heart, 'Hello world. Fine!');
    assert.ok(hello && fine && rest.length === 0, 'one run per sentence');
    // "həlˈO wˈɜɹld." is 13 symbols: misaki's symbols from espeak's phonemes, and the punctuation kept.
    assert.equal(tokensOf(hello), 13);
    assert.ok(Math.abs(peak(hello) - testStyleValue(0, 13)) < 0.002, `loudness ${peak(hello)} is af_heart's row 13`);
    assert.equal(tokensOf(fine), 'fˈIn!'.length);
  });

  test('each voice speaks with its own styles; a blend with the mean of its parts', async () => {
    const [bella] = await runs(voice('af_bella'), 'Hello world.');
    const [blend] = await runs(voice('af'), 'Hello world.');
    assert.ok(bella && blend);
    assert.ok(Math.abs(peak(bella) - testStyleValue(1, 13)) < 0.002);
    assert.ok(Math.abs(peak(blend) - (testStyleValue(1, 13) + testStyleValue(2, 13)) / 2) < 0.002, 'af mixes af_bella and af_sarah');
  });

  test('speed 2 halves the audio, 0.5 doubles it', async () => {
    const [normal] = await runs(voice('af_heart'), 'Hello world.');
    const [fast] = await runs(voice('af_heart'), 'Hello world.', 2);
    const [slow] = await runs(voice('af_heart'), 'Hello world.', 0.5);
    assert.ok(normal && fast && slow);
    assert.equal(fast.length, normal.length / 2);
    assert.equal(slow.length, normal.length * 2);
  });

  test('a sentence longer than 510 phoneme ids is spoken in runs that each fit, none lost', async () => {
    const clause = 'the rain in Spain stays mainly on the plain';
    const long = `${Array.from({ length: 30 }, () => clause).join(', ')}.`;
    const parts = await runs(voice('af_heart'), long);
    assert.ok(parts.length >= 2, `${parts.length} runs`);
    for (const part of parts) assert.ok(tokensOf(part) <= MAX_TOKENS, `${tokensOf(part)} ids in one run`);
    const [one] = await runs(voice('af_heart'), `${clause}.`);
    assert.ok(one);
    // 30 clauses of (n - 1) symbols each plus ", " or the final ".": every id is spoken.
    const perClause = tokensOf(one) - 1;
    const spoken = parts.reduce((sum, part) => sum + tokensOf(part), 0);
    assert.ok(spoken >= 30 * perClause + 29 && spoken <= 30 * (perClause + 2), `${spoken} ids for 30 clauses of ${perClause}`);
  });

  test('other languages are phonemised by their espeak voice: Spanish keeps its ids, each language its voice', async () => {
    const [hola] = await runs(voice('ef_dora'), 'Hola mundo.');
    assert.ok(hola);
    assert.equal(tokensOf(hola), 'ˈola mˈundo.'.length);
  });

  test('a voice this gateway does not offer, a bad speed or an engine option is a coded error, not silence', async () => {
    const heart = voice('af_heart');
    const speak = (options: object) => heart.synthesize('Hi.', { signal: new AbortController().signal, ...options })[Symbol.asyncIterator]().next();
    await assert.rejects(speak({ speaker: 'zz_nobody' }), (err: unknown) => err instanceof GatewayError && err.code === 'tts_failed' && /zz_nobody/.test(err.message));
    await assert.rejects(speak({ speed: 0 }), (err: unknown) => err instanceof GatewayError && err.code === 'tts_failed');
    await assert.rejects(speak({ engineOptions: { length_scale: 1 } }), (err: unknown) => err instanceof GatewayError && err.code === 'tts_failed');
  });

  test('an abort stops synthesis between runs: nothing more is yielded and nothing is thrown', async () => {
    const controller = new AbortController();
    const sentences = Array.from({ length: 20 }, (_, i) => `Sentence number ${i + 1} is here.`).join(' ');
    const got: Int16Array[] = [];
    for await (const pcm of voice('af_heart').synthesize(sentences, { signal: controller.signal })) {
      got.push(pcm);
      controller.abort();
    }
    assert.equal(got.length, 1);
  });
});

describe('loading Kokoro', () => {
  test('kokoro-onnx\'s export, which names the ids input "tokens", speaks the same', async () => {
    const [spec] = await voicesOf({ idsInput: 'tokens' });
    const heart = await spec?.load(context());
    assert.ok(heart);
    const [hello] = await runs(heart, 'Hello world.');
    await heart.close();
    assert.ok(hello);
    assert.equal(tokensOf(hello), 13);
  });

  test('one of onnx-community\'s raw voice files (voices/<name>.bin) is a pack of that one voice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 's2s-kokoro-'));
    const { modelPath } = await writeTestKokoro(dir);
    const voicePath = await writeRawTestVoice(dir, 'bf_emma', 3);
    const c = kokoro.config.parse({ engine: 'kokoro', model: modelPath, voicePack: voicePath, voice: 'bf_emma', blends: {}, phonemizerWorkers: 1 });
    const specs = kokoro.voices(c, { [modelPath]: modelPath, [voicePath]: voicePath });
    assert.deepEqual(specs.map((s) => s.name), ['bf_emma']);
    const emma = await specs[0]?.load(context());
    assert.ok(emma);
    const [hello] = await runs(emma, 'Hello.');
    await emma.close();
    assert.ok(hello);
    assert.ok(Math.abs(peak(hello) - testStyleValue(3, tokensOf(hello))) < 0.002, 'spoken with the file\'s styles');
  });

  test('every voice shares one model; voices list their languages; default first', async () => {
    const specs = await voicesOf();
    assert.equal(specs[0]?.name, 'af_heart');
    assert.deepEqual(specs[0]?.languages, ['en']);
    assert.deepEqual(specs.find((s) => s.name === 'ef_dora')?.languages, ['es']);
    assert.ok(!specs.some((s) => s.name === 'zf_xiaobei'), 'Mandarin voices need misaki, not espeak: not offered');
    assert.deepEqual(specs.filter((s) => ['af', 'am', 'bf', 'bm'].includes(s.name)).map((s) => s.name), ['af', 'am', 'bf', 'bm']);
  });

  test('a model without Kokoro\'s inputs, a voice the pack lacks, or a blend of missing voices fails naming what is wrong', async () => {
    const { onnxPath } = await writeTestVoice(mkdtempSync(join(tmpdir(), 's2s-piper-')));
    const { voicePackPath } = await writeTestKokoro(mkdtempSync(join(tmpdir(), 's2s-kokoro-')));
    const piperModel = kokoro.config.parse({ engine: 'kokoro', model: onnxPath, voicePack: voicePackPath, phonemizerWorkers: 1 });
    const [spec] = kokoro.voices(piperModel, { [onnxPath]: onnxPath, [voicePackPath]: voicePackPath });
    await assert.rejects(spec?.load(context()) ?? Promise.resolve(), (err: unknown) => err instanceof GatewayError && err.code === 'model_not_ready' && /not a Kokoro export/.test(err.message));
    await assert.rejects(voicesOf({}, { voice: 'af_nobody' }), /tts\.voice: the Kokoro voice pack has no voice "af_nobody"/);
    await assert.rejects(voicesOf({ voices: ['af_heart'] }), /tts\.blends\.af: the Kokoro voice pack has no voice "af_bella"/);
  });
});
