import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIXTURES_DIR, readWav } from '../../../test/support/wav.ts';
import { SILERO_FRAME_SAMPLES, SileroVad } from './silero-vad.ts';

const STREAMS = 32;
const FRAMES_PER_STREAM = 40;
const jfk = readWav(`${FIXTURES_DIR}jfk.wav`).samples;
const frameAt = (i: number) =>
  Float32Array.from(jfk.subarray(i * SILERO_FRAME_SAMPLES, (i + 1) * SILERO_FRAME_SAMPLES), (v) => v / 32_768);

test('a 1 ms timer keeps ticking while many streams run the VAD', async () => {
  const vad = await SileroVad.load();
  let done = 0;
  /** How many frames had finished at each tick of the timer. */
  const progressAtTicks: number[] = [];
  const timer = setInterval(() => progressAtTicks.push(done), 1);
  try {
    await Promise.all(
      Array.from({ length: STREAMS }, async (_, s) => {
        const stream = vad.createStream();
        for (let i = 0; i < FRAMES_PER_STREAM; i++) {
          await stream.process(frameAt(s + i));
          done += 1;
        }
      }),
    );
  } finally {
    clearInterval(timer);
    await vad.close();
  }
  const whileRunning = new Set(progressAtTicks.filter((n) => n > 0 && n < STREAMS * FRAMES_PER_STREAM));
  assert.ok(whileRunning.size >= 3, `the timer ran at ${whileRunning.size} points of progress: ${[...whileRunning]}`);
});
