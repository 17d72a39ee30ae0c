import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { SAMPLES_PER_ID, writeTestVoice } from '../../../test/support/piper-voice.ts';
import type { PiperInferenceRequest, PiperInferenceResult } from './piper-inference-worker.ts';
import { WorkerPool } from './worker-pool.ts';

let dir: string;
let onnxPath: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'worker-pool-'));
  ({ onnxPath } = await writeTestVoice(dir));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** One worker running the real Piper inference worker on the test voice. */
function inferencePool(): WorkerPool<PiperInferenceRequest, PiperInferenceResult> {
  return WorkerPool.start({
    workerUrl: new URL('./piper-inference-worker.ts', import.meta.url),
    size: 1,
    workerData: { onnxPath, threads: 1 },
    maxQueued: 4,
    label: 'Piper inference',
  });
}

/** `idCount` ids at `lengthScale`: a large scale keeps the worker busy for a while. */
function sentence(idCount: number, lengthScale: number): PiperInferenceRequest {
  return { kind: 'infer', ids: new BigInt64Array(idCount).fill(5n), scales: Float32Array.of(0.667, lengthScale, 0.8) };
}

function samples(result: PiperInferenceResult): number {
  assert.ok(result instanceof Int16Array);
  return result.length;
}

const signal = (): AbortSignal => new AbortController().signal;

test('a sentence aborted while queued leaves the queue at once and never runs', async () => {
  const pool = inferencePool();
  try {
    const running = pool.run(sentence(200, 100), signal());
    const controller = new AbortController();
    const queued = pool.run(sentence(10, 1), controller.signal);
    assert.equal(pool.queued, 1);
    controller.abort();
    assert.equal(pool.queued, 0);
    await assert.rejects(queued, { name: 'AbortError' });
    assert.equal(samples(await running), 200 * SAMPLES_PER_ID * 100);
  } finally {
    await pool.close();
  }
});

test('a sentence aborted while running is discarded: the next one gets its own audio', async () => {
  const pool = inferencePool();
  try {
    const controller = new AbortController();
    const abandoned = pool.run(sentence(200, 100), controller.signal);
    const next = pool.run(sentence(10, 1), signal());
    controller.abort();
    await assert.rejects(abandoned, { name: 'AbortError' });
    assert.equal(samples(await next), 10 * SAMPLES_PER_ID);
  } finally {
    await pool.close();
  }
});

test('more sentences than the queue holds fail with tts_failed', async () => {
  const pool = inferencePool();
  try {
    const accepted = Array.from({ length: 5 }, () => pool.run(sentence(10, 1), signal()));
    await assert.rejects(pool.run(sentence(10, 1), signal()), (err: unknown) => {
      return err instanceof GatewayError && err.code === 'tts_failed';
    });
    for (const result of await Promise.all(accepted)) assert.equal(samples(result), 10 * SAMPLES_PER_ID);
  } finally {
    await pool.close();
  }
});

test('a crashed worker fails only its request with tts_failed and is replaced', async () => {
  // A worker that crashes (an uncaught error) on "crash" and echoes anything else.
  const workerPath = join(dir, 'crashing-worker.mjs');
  const serve = pathToFileURL(join(import.meta.dirname, 'serve-pool-requests.ts')).href;
  await writeFile(
    workerPath,
    `import { serveRequests } from ${JSON.stringify(serve)};
serveRequests((request) => {
  if (request === 'crash') setImmediate(() => { throw new Error('boom'); });
  return request === 'crash' ? new Promise(() => {}) : Promise.resolve({ result: request });
});`,
  );
  const pool = WorkerPool.start<string, string>({ workerUrl: pathToFileURL(workerPath), size: 1, maxQueued: 4, label: 'echo' });
  try {
    const crashed = pool.run('crash', signal());
    const after = pool.run('still here', signal());
    await assert.rejects(crashed, (err: unknown) => err instanceof GatewayError && err.code === 'tts_failed');
    assert.equal(await after, 'still here');
  } finally {
    await pool.close();
  }
});
