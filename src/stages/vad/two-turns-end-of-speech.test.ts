import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../config/schema.ts';
import { SileroVad } from '../../engines/silero/silero-vad.ts';
import { FIXTURES_DIR, readWav } from '../../../test/support/wav.ts';
import { createEndpointer, type VadEvent } from './endpointer.ts';

const config = configSchema.parse({});
const options = { ...config.vad, maxUtteranceMs: config.asr.maxUtteranceMs };
const FRAME_MS = 32;

/** Ends (ms) of the sound runs separated by at least `minGapMs` of silence (10 ms windows, peak over 2 LSB of dither). */
function soundEndsMs(samples: Int16Array, minGapMs: number): number[] {
  const ends: number[] = [];
  let lastSoundEnd: number | undefined;
  for (let ms = 0; ms * 16 < samples.length; ms += 10) {
    const window = samples.subarray(ms * 16, (ms + 10) * 16);
    if (!window.some((v) => Math.abs(v) > 2)) continue;
    if (lastSoundEnd !== undefined && ms - lastSoundEnd >= minGapMs) ends.push(lastSoundEnd);
    lastSoundEnd = ms + 10;
  }
  if (lastSoundEnd !== undefined) ends.push(lastSoundEnd);
  return ends;
}

const vad = await SileroVad.load();
test.after(() => vad.close());

test('two utterances, each ended one silence window after its last sound (within one VAD frame)', async () => {
  const wav = readWav(`${FIXTURES_DIR}two-turns-en-16k.wav`);
  // The file stops shortly after the second utterance: a second of silence lets its window run out.
  const samples = new Int16Array(wav.samples.length + 16_000);
  samples.set(wav.samples);
  const speechEnds = soundEndsMs(samples, 1_000);
  assert.equal(speechEnds.length, 2, 'the fixture has two utterances');

  const endpointer = createEndpointer(vad, options);
  const events: VadEvent[] = [];
  for (let i = 0; i < samples.length; i += 320) events.push(...(await endpointer.push(samples.subarray(i, i + 320))));

  assert.deepEqual(
    events.map((e) => e.type),
    ['speech_start', 'speech_end', 'speech_start', 'speech_end'],
  );
  const ends = events.filter((e) => e.type === 'speech_end');
  ends.forEach((end, i) => {
    const expected = speechEnds[i]! + options.minSilenceMs;
    assert.ok(Math.abs(end.atMs - expected) <= FRAME_MS, `utterance ${i + 1}: speech_end at ${end.atMs} ms, expected ${expected} ms`);
    assert.equal(end.truncated, false);
    // Where the voice stopped, which starts the voice-to-voice clock: within the 10 ms windows it was measured in.
    assert.ok(end.type === 'speech_end' && Math.abs(end.speechEndMs - speechEnds[i]!) <= 10, `utterance ${i + 1}: speech ended at ${end.type === 'speech_end' && end.speechEndMs} ms, sound at ${speechEnds[i]} ms`);
  });
  assert.deepEqual(endpointer.flush(), []);
});

test('the utterance audio starts prefixPaddingMs before the onset and is the stream audio itself', async () => {
  const wav = readWav(`${FIXTURES_DIR}two-turns-en-16k.wav`);
  const endpointer = createEndpointer(vad, options);
  const events: VadEvent[] = [];
  for (let i = 0; i < wav.samples.length; i += 320) events.push(...(await endpointer.push(wav.samples.subarray(i, i + 320))));
  events.push(...endpointer.flush());

  const starts = events.filter((e) => e.type === 'speech_start');
  const ends = events.filter((e) => e.type === 'speech_end');
  assert.equal(ends.length, 2);
  // The second onset comes after 1.5 s of silence, so its padding is whole.
  const onset = starts[1]!.onsetMs;
  assert.ok(onset > 3_000, `second onset at ${onset} ms`);
  assert.equal(ends[1]!.startMs, onset - options.prefixPaddingMs);
  const audio = ends[1]!.audio;
  const from = ends[1]!.startMs * 16;
  assert.deepEqual(audio, wav.samples.subarray(from, from + audio.length));
  // The first onset is 32 ms into the stream: its padding is what the stream had.
  assert.equal(ends[0]!.startMs, 0);
});
