import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Logger } from 'pino';
import { GatewayError } from '../../core/errors.ts';
import { SAMPLES_PER_ID, writeTestVoice } from '../../../test/support/piper-voice.ts';
import { EspeakIpa } from './espeak-ipa.ts';
import { PiperVoice } from './piper-voice.ts';

const espeak = await EspeakIpa.start();

let dir: string;
let voice: PiperVoice;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piper-english-'));
  const { onnxPath } = await writeTestVoice(join(dir, 'single'));
  voice = await PiperVoice.load(onnxPath, { threads: 1, phonemizerWorkers: 1 });
});

after(async () => {
  await voice.close();
  await rm(dir, { recursive: true, force: true });
});

async function collect(chunks: AsyncIterable<Int16Array>): Promise<Int16Array[]> {
  const all: Int16Array[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return all;
}

/** Ids Piper feeds for a one-clause sentence: ^ _ then (phoneme, _) per phoneme and the terminator, then $. */
async function idCount(clause: string): Promise<number> {
  const ipa = espeak.clause(clause, 'en-us');
  const phonemes = [...ipa.normalize('NFD')].length + 1;
  return 2 + 2 * phonemes + 1;
}

const signal = (): AbortSignal => new AbortController().signal;

test('English text becomes PCM16 whose length follows the phoneme count and length_scale', async () => {
  const ids = await idCount('Hello world');
  const [normal] = await collect(voice.synthesize('Hello world.', { signal: signal() }));
  const [slow] = await collect(voice.synthesize('Hello world.', { signal: signal(), engineOptions: { length_scale: 2 } }));
  assert.ok(normal instanceof Int16Array);
  assert.equal(normal.length, ids * SAMPLES_PER_ID);
  assert.equal(slow?.length, ids * SAMPLES_PER_ID * 2);
  assert.equal(voice.sampleRateHz, 22_050);
  assert.deepEqual(voice.speakers, []);
  assert.equal(voice.name, 'test-voice');
});

test('two sentences stream as two chunks, each as long as its own phonemes', async () => {
  const chunks = await collect(voice.synthesize('Hello world. How are you today?', { signal: signal() }));
  assert.deepEqual(
    chunks.map((chunk) => chunk.length),
    [(await idCount('Hello world')) * SAMPLES_PER_ID, (await idCount('How are you today')) * SAMPLES_PER_ID],
  );
});

test('noise_scale and noise_w overrides change the audio, which clips instead of wrapping', async () => {
  // The test model's first sample is sin(noise_w) * noise_scale.
  const [defaults] = await collect(voice.synthesize('Yes.', { signal: signal() }));
  const [quiet] = await collect(voice.synthesize('Yes.', { signal: signal(), engineOptions: { noise_scale: 0.25, noise_w: 0.3 } }));
  assert.equal(defaults?.[0], Math.round(Math.sin(0.8) * 0.667 * 32767));
  assert.equal(quiet?.[0], Math.round(Math.sin(0.3) * 0.25 * 32767));
  const [loud] = await collect(voice.synthesize('Yes.', { signal: signal(), engineOptions: { noise_scale: 2 } }));
  assert.ok(loud !== undefined);
  assert.equal(Math.max(...loud), 32767);
  assert.equal(Math.min(...loud), -32767);
});

test('aborting after the first sentence ends the stream without another chunk or an error', async () => {
  const controller = new AbortController();
  const chunks: Int16Array[] = [];
  for await (const chunk of voice.synthesize('One. Two. Three. Four. Five.', { signal: controller.signal })) {
    chunks.push(chunk);
    controller.abort();
  }
  assert.equal(chunks.length, 1);
  const aborted = AbortSignal.abort();
  assert.deepEqual(await collect(voice.synthesize('Never spoken.', { signal: aborted })), []);
});

test('aborting while a sentence is being phonemised yields nothing', async () => {
  const controller = new AbortController();
  const stream = voice.synthesize('This sentence is cut off before it is phonemised.', { signal: controller.signal });
  const first = stream[Symbol.asyncIterator]().next();
  controller.abort();
  assert.deepEqual(await first, { value: undefined, done: true });
});

test('phonemes the voice has no id for are skipped, and each is logged once', async () => {
  const { onnxPath, configPath } = await writeTestVoice(join(dir, 'no-schwa'));
  const config = JSON.parse(await readFile(configPath, 'utf8')) as { phoneme_id_map: Record<string, number[]> };
  delete config.phoneme_id_map['ə'];
  await writeFile(configPath, JSON.stringify(config));
  const warnings: unknown[] = [];
  const log = { warn: (fields: unknown) => warnings.push(fields) } as unknown as Pick<Logger, 'warn'>;
  const noSchwa = await PiperVoice.load(onnxPath, { threads: 1, phonemizerWorkers: 1, log });
  try {
    const ipa = espeak.clause('Hello, the end', 'en-us');
    const schwas = [...ipa].filter((phoneme) => phoneme === 'ə').length;
    assert.ok(schwas > 0);
    const [withSchwas] = await collect(noSchwa.synthesize('Hello, the end.', { signal: signal() }));
    const [whole] = await collect(voice.synthesize('Hello, the end.', { signal: signal() }));
    assert.equal(withSchwas?.length, (whole?.length ?? 0) - 2 * schwas * SAMPLES_PER_ID);
    await collect(noSchwa.synthesize('The end.', { signal: signal() }));
    assert.deepEqual(warnings, [{ voice: 'test-voice', espeakVoice: 'en-us', phonemes: ['ə'] }]);
  } finally {
    await noSchwa.close();
  }
});

test('a multi-speaker voice feeds sid: another speaker gives other audio of the same length', async () => {
  const { onnxPath } = await writeTestVoice(join(dir, 'multi'), { speakers: ['alice', 'bob'], sampleRateHz: 16_000 });
  const multi = await PiperVoice.load(onnxPath, { threads: 1, phonemizerWorkers: 1 });
  try {
    assert.deepEqual(multi.speakers, ['alice', 'bob']);
    assert.equal(multi.sampleRateHz, 16_000);
    const [alice] = await collect(multi.synthesize('Good morning.', { signal: signal() }));
    const [bob] = await collect(multi.synthesize('Good morning.', { signal: signal(), speaker: 1 }));
    assert.ok(alice !== undefined && bob !== undefined);
    assert.equal(alice.length, bob.length);
    assert.notDeepEqual(alice, bob);
    await assert.rejects(collect(multi.synthesize('Hi.', { signal: signal(), speaker: 2 })), (err: unknown) => {
      return err instanceof GatewayError && err.code === 'tts_failed';
    });
  } finally {
    await multi.close();
  }
});

test('a voice with two inference workers speaks for two sessions at once, each its own sentence', async () => {
  const { onnxPath } = await writeTestVoice(join(dir, 'two-workers'));
  const shared = await PiperVoice.load(onnxPath, { threads: 1, phonemizerWorkers: 2, inferenceWorkers: 2 });
  try {
    const [hello, question] = await Promise.all([
      collect(shared.synthesize('Hello world.', { signal: signal() })),
      collect(shared.synthesize('How are you today?', { signal: signal() })),
    ]);
    assert.deepEqual(hello.map((chunk) => chunk.length), [(await idCount('Hello world')) * SAMPLES_PER_ID]);
    assert.deepEqual(question.map((chunk) => chunk.length), [(await idCount('How are you today')) * SAMPLES_PER_ID]);
  } finally {
    await shared.close();
  }
});
