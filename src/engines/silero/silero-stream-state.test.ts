import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../core/errors.ts';
import { FIXTURES_DIR, readWav } from '../../../test/support/wav.ts';
import { SILERO_FRAME_SAMPLES, SileroVad, type SileroStream } from './silero-vad.ts';

const jfk = readWav(`${FIXTURES_DIR}jfk.wav`).samples;
const frames = (samples: Int16Array, count: number) =>
  Array.from({ length: count }, (_, i) =>
    Float32Array.from(samples.subarray(i * SILERO_FRAME_SAMPLES, (i + 1) * SILERO_FRAME_SAMPLES), (v) => v / 32_768),
  );

async function probabilities(stream: SileroStream, input: Float32Array[]): Promise<number[]> {
  const out: number[] = [];
  for (const frame of input) out.push(await stream.process(frame));
  return out;
}

const vad = await SileroVad.load();
test.after(() => vad.close());

test('speech scores high and digital silence low', async () => {
  const speech = await probabilities(vad.createStream(), frames(jfk, 40));
  assert.ok(Math.max(...speech) > 0.9, `max ${Math.max(...speech)}`);
  const silence = await probabilities(vad.createStream(), frames(new Int16Array(SILERO_FRAME_SAMPLES * 10), 10));
  assert.ok(Math.max(...silence) < 0.1, `max ${Math.max(...silence)}`);
});

test('streams sharing the model keep their own state, even when their frames run concurrently', async () => {
  const a = frames(jfk, 30);
  const b = frames(jfk.subarray(16_000 * 5), 30);
  const aloneA = await probabilities(vad.createStream(), a);
  const aloneB = await probabilities(vad.createStream(), b);
  const [sideA, sideB] = await Promise.all([probabilities(vad.createStream(), a), probabilities(vad.createStream(), b)]);
  assert.deepEqual(sideA, aloneA);
  assert.deepEqual(sideB, aloneB);
  // The state matters: the same frames in another order score differently.
  assert.notDeepEqual(await probabilities(vad.createStream(), [...a].reverse()), [...aloneA].reverse());
});

test('reset() starts the stream over', async () => {
  const stream = vad.createStream();
  const input = frames(jfk, 20);
  const first = await probabilities(stream, input);
  stream.reset();
  assert.deepEqual(await probabilities(stream, input), first);
});

test('a frame of the wrong size, or overlapping calls, are refused', async () => {
  const stream = vad.createStream();
  await assert.rejects(stream.process(new Float32Array(480)), RangeError);
  const frame = new Float32Array(SILERO_FRAME_SAMPLES);
  const running = stream.process(frame);
  await assert.rejects(stream.process(frame), /still running/);
  await running;
});

test('a missing model file is model_not_ready; an aborted load rejects with the abort', async () => {
  await assert.rejects(SileroVad.load({ modelPath: '/nonexistent/silero.onnx' }), (err) => {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.code, 'model_not_ready');
    return true;
  });
  await assert.rejects(SileroVad.load({ signal: AbortSignal.abort() }), { name: 'AbortError' });
});
