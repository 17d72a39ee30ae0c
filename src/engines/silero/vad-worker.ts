/**
 * Worker thread that owns the Silero ONNX session. onnxruntime-node runs inference synchronously on the calling
 * thread, so on the main thread it would stall every session's audio; here it runs beside the event loop, one
 * batch of frames (one per stream) per `run`.
 */
import { workerData } from 'node:worker_threads';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { serveRequests } from '../worker-threads/serve-requests.ts';
import { SILERO_INPUT_SAMPLES, SILERO_SAMPLE_RATE_HZ, SILERO_STATE_UNITS } from './silero-model.ts';

/**
 * Memory shared with the main thread, sized for the largest batch. One batch is in flight at a time, so each side
 * touches it only while the other waits for its reply. For a batch of B: `input` holds [B, 576] row by row,
 * `state` holds [2, B, 128] (and gets the next state back in place), `output` gets B probabilities.
 */
export interface VadWorkerData {
  modelPath: string;
  input: SharedArrayBuffer;
  state: SharedArrayBuffer;
  output: SharedArrayBuffer;
}

/**
 * `load` loads the model (the first request of a thread does); `run` runs the first `batch` rows of the shared
 * input, and its reply means the probabilities and next states are in the shared memory.
 */
export type VadRequest = { kind: 'load' } | { kind: 'run'; batch: number };

const shared = workerData as VadWorkerData;
const { modelPath } = shared;
const sampleRate = new Tensor('int64', BigInt64Array.of(BigInt(SILERO_SAMPLE_RATE_HZ)), []);
let session: Promise<InferenceSession> | undefined;

async function loadSession(): Promise<InferenceSession> {
  const loaded = await InferenceSession.create(modelPath, {
    // Batching already amortises the per-run overhead; a second intra-op thread would compete with the main thread.
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // The export carries unused initialisers; onnxruntime warns about each one at load.
    logSeverityLevel: 3,
  }).catch((err: unknown) => {
    throw new Error(`Silero VAD model could not be loaded from ${modelPath}: ${err instanceof Error ? err.message : String(err)}`);
  });
  const missingInput = ['input', 'state', 'sr'].find((name) => !loaded.inputNames.includes(name));
  if (missingInput !== undefined) {
    await loaded.release();
    throw new Error(`${modelPath} is not a Silero VAD v5 model (no input "${missingInput}")`);
  }
  return loaded;
}

serveRequests(async (request: VadRequest) => {
  session ??= loadSession();
  const model = await session;
  if (request.kind === 'load') return { result: undefined };
  const { batch } = request;
  const state = new Float32Array(shared.state, 0, 2 * batch * SILERO_STATE_UNITS);
  const result = await model.run({
    input: new Tensor('float32', new Float32Array(shared.input, 0, batch * SILERO_INPUT_SAMPLES), [batch, SILERO_INPUT_SAMPLES]),
    state: new Tensor('float32', state, [2, batch, SILERO_STATE_UNITS]),
    sr: sampleRate,
  });
  const output = result.output?.data;
  const nextState = result.stateN?.data;
  if (!(output instanceof Float32Array) || output.length !== batch || !(nextState instanceof Float32Array) || nextState.length !== state.length) {
    throw new Error('Silero VAD returned outputs of an unexpected shape');
  }
  new Float32Array(shared.output, 0, batch).set(output);
  state.set(nextState);
  return { result: undefined };
});
