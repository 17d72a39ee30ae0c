import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../core/errors.ts';
import { FIXTURES_DIR, readWav } from '../../../test/support/wav.ts';
import { BatchedVadWorker } from './batched-vad-worker.ts';
import { defaultSileroModelPath } from './silero-model.ts';
import { SILERO_FRAME_SAMPLES, SileroStream, SileroVad } from './silero-vad.ts';

const jfk = readWav(`${FIXTURES_DIR}jfk.wav`).samples;
const speech = Float32Array.from(jfk.subarray(16_000, 16_000 + SILERO_FRAME_SAMPLES), (v) => v / 32_768);

test('close() rejects the frames still waiting with an AbortError, and later frames too', async () => {
  const vad = await SileroVad.load();
  const settled = Promise.allSettled(Array.from({ length: 8 }, () => vad.createStream().process(speech)));
  await vad.close();
  const results = await settled;
  for (const result of results) {
    assert.equal(result.status, 'rejected');
    assert.equal((result.reason as Error).name, 'AbortError');
  }
  await assert.rejects(vad.createStream().process(speech), { name: 'AbortError' });
});

test('a crashed worker fails the frames it was running with internal, and is replaced for the next ones', async () => {
  const worker = await BatchedVadWorker.start(new URL('../../../test/support/crash-on-nan.vad-worker.ts', import.meta.url), defaultSileroModelPath());
  const stream = () => new SileroStream((input, state) => worker.run(input, state));
  try {
    const before = await stream().process(speech);
    await assert.rejects(stream().process(new Float32Array(SILERO_FRAME_SAMPLES).fill(Number.NaN)), (err) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.code, 'internal');
      assert.equal((err.cause as Error).message, 'crash on NaN');
      return true;
    });
    assert.equal(await stream().process(speech), before);
  } finally {
    await worker.close();
  }
});

test('a model that fails to load is model_not_ready naming the path', async () => {
  await assert.rejects(SileroVad.load({ modelPath: '/nonexistent/silero.onnx' }), (err) => {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.code, 'model_not_ready');
    assert.match(err.message, /\/nonexistent\/silero\.onnx/);
    return true;
  });
  const notSilero = new URL('../../../package.json', import.meta.url).pathname;
  await assert.rejects(SileroVad.load({ modelPath: notSilero }), { name: 'GatewayError', code: 'model_not_ready' });
});

test('an abort while the worker loads the model rejects with the abort', async () => {
  const controller = new AbortController();
  const loading = SileroVad.load({ signal: controller.signal });
  controller.abort();
  // A worker left running would keep this test process alive.
  await assert.rejects(loading, { name: 'AbortError' });
});
