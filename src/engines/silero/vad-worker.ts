/**
 * Worker thread that owns the Silero ONNX session. onnxruntime-node runs inference synchronously on the calling
 * thread, so on the main thread it would stall every session's audio; here it runs beside the event loop, one
 * batch of frames (one per stream) per `run`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { SILERO_INPUT_SAMPLES, SILERO_SAMPLE_RATE_HZ, SILERO_STATE_UNITS } from './silero-model.ts';

/**
 * Memory shared with the main thread, sized for the largest batch. One batch is in flight at a time, so each side
 * touches it only while the other waits for its message. For a batch of B: `input` holds [B, 576] row by row,
 * `state` holds [2, B, 128] (and gets the next state back in place), `output` gets B probabilities.
 */
export interface VadWorkerData {
  modelPath: string;
  input: SharedArrayBuffer;
  state: SharedArrayBuffer;
  output: SharedArrayBuffer;
}

/** Run the first `batch` rows of the shared input. */
export type VadRunRequest = number;

export type VadWorkerReply =
  | { type: 'ready' }
  | { type: 'load_failed'; message: string; cause?: string }
  /** The probabilities and next states are in the shared memory. */
  | { type: 'result' }
  | { type: 'run_failed'; message: string };

const port = parentPort;
if (!port) throw new Error('vad-worker.ts runs as a worker thread');
const shared = workerData as VadWorkerData;
const { modelPath } = shared;
const reply = (message: VadWorkerReply) => port.postMessage(message);

const session = await InferenceSession.create(modelPath, {
  // Batching already amortises the per-run overhead; a second intra-op thread would compete with the main thread.
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  // The export carries unused initialisers; onnxruntime warns about each one at load.
  logSeverityLevel: 3,
}).catch((err: unknown) => {
  const cause = err instanceof Error ? err.message : String(err);
  reply({ type: 'load_failed', message: `Silero VAD model could not be loaded from ${modelPath}`, cause });
  return undefined;
});

const missingInput = session && ['input', 'state', 'sr'].find((name) => !session.inputNames.includes(name));
if (session && missingInput) {
  reply({ type: 'load_failed', message: `${modelPath} is not a Silero VAD v5 model (no input "${missingInput}")` });
  await session.release();
} else if (session) {
  const sampleRate = new Tensor('int64', BigInt64Array.of(BigInt(SILERO_SAMPLE_RATE_HZ)), []);
  port.on('message', async (batch: VadRunRequest) => {
    try {
      const state = new Float32Array(shared.state, 0, 2 * batch * SILERO_STATE_UNITS);
      const result = await session.run({
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
      reply({ type: 'result' });
    } catch (err) {
      reply({ type: 'run_failed', message: err instanceof Error ? err.message : String(err) });
    }
  });
  reply({ type: 'ready' });
}
