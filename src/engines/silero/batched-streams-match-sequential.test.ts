import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { FIXTURES_DIR, readWav } from '../../../test/support/wav.ts';
import { defaultSileroModelPath, SILERO_FRAME_SAMPLES, SILERO_SAMPLE_RATE_HZ, SileroVad, type SileroStream } from './silero-vad.ts';

const FRAMES_PER_STREAM = 60;
const jfk = readWav(`${FIXTURES_DIR}jfk.wav`).samples;
const twoTurns = readWav(`${FIXTURES_DIR}two-turns-en-16k.wav`).samples;
const framesFrom = (samples: Int16Array, startS: number) => {
  const start = Math.round(startS * SILERO_SAMPLE_RATE_HZ);
  return Array.from({ length: FRAMES_PER_STREAM }, (_, i) => {
    const from = start + i * SILERO_FRAME_SAMPLES;
    return Float32Array.from(samples.subarray(from, from + SILERO_FRAME_SAMPLES), (v) => v / 32_768);
  });
};
/** Eight sessions' audio: speech onsets, pauses and the silence between the two turns land at different frames. */
const inputs = [0, 2, 4, 6].flatMap((startS) => [framesFrom(jfk, startS), framesFrom(twoTurns, startS * 0.6)]);

/** The model run as the VAD ran it before batching: batch of 1, on this thread, one frame after another. */
async function sequentialOnThisThread(frames: Float32Array[]): Promise<number[]> {
  const session = await InferenceSession.create(defaultSileroModelPath(), { logSeverityLevel: 3 });
  const sr = new Tensor('int64', BigInt64Array.of(BigInt(SILERO_SAMPLE_RATE_HZ)), []);
  const input = new Float32Array(64 + SILERO_FRAME_SAMPLES);
  let state: Float32Array = new Float32Array(256);
  const out: number[] = [];
  try {
    for (const frame of frames) {
      input.set(frame, 64);
      const result = await session.run({
        input: new Tensor('float32', input.slice(), [1, input.length]),
        state: new Tensor('float32', state, [2, 1, 128]),
        sr,
      });
      out.push((result.output!.data as Float32Array)[0]!);
      state = result.stateN!.data as Float32Array;
      input.copyWithin(0, SILERO_FRAME_SAMPLES);
    }
  } finally {
    await session.release();
  }
  return out;
}

async function probabilities(stream: SileroStream, frames: Float32Array[]): Promise<number[]> {
  const out: number[] = [];
  for (const frame of frames) out.push(await stream.process(frame));
  return out;
}

test('eight concurrent streams, batched in the worker, score every frame as a lone stream on this thread does', async () => {
  const expected: number[][] = [];
  for (const frames of inputs) expected.push(await sequentialOnThisThread(frames));

  const vad = await SileroVad.load();
  try {
    const batched = await Promise.all(inputs.map((frames) => probabilities(vad.createStream(), frames)));
    batched.forEach((scores, stream) =>
      scores.forEach((score, frame) =>
        assert.ok(Math.abs(score - expected[stream]![frame]!) < 1e-5, `stream ${stream} frame ${frame}: ${score}`),
      ),
    );
    const { runs, frames } = vad.stats();
    assert.equal(frames, inputs.length * FRAMES_PER_STREAM);
    assert.ok(runs < frames, `frames did run together (${frames} frames in ${runs} runs)`);
    // The audio has both speech and silence, so equal scores are not equal by accident.
    assert.ok(expected.flat().some((p) => p > 0.9) && expected.flat().some((p) => p < 0.1));
  } finally {
    await vad.close();
  }
});
