import { workerData } from 'node:worker_threads';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { floatToPcm16 } from '../../audio/float-to-pcm16.ts';
import { type Served, serveRequests } from '../worker-threads/serve-requests.ts';

/** Handed to each worker: the model file and onnxruntime's intra-op threads. */
export interface PiperInferenceWorkerData {
  onnxPath: string;
  threads: number;
}

export interface ModelSignature {
  inputNames: readonly string[];
  outputNames: readonly string[];
}

/** `signature` loads the model (the first request does) and names its inputs and outputs. */
export type PiperInferenceRequest =
  | { kind: 'signature'; batch?: boolean }
  // `batch` queues behind live sessions' requests (see thread-pool.ts).
  | { kind: 'infer'; ids: BigInt64Array; scales: Float32Array; speakerId?: number; batch?: boolean };

export type PiperInferenceResult = ModelSignature | Int16Array;

// onnxruntime-node runs a model synchronously on the thread that calls `run`: in this worker, not the gateway's
// event loop. Requests are handled one at a time.
const { onnxPath, threads } = workerData as PiperInferenceWorkerData;
let session: Promise<InferenceSession> | undefined;

function loadedSession(): Promise<InferenceSession> {
  session ??= InferenceSession.create(onnxPath, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  return session;
}

serveRequests(async (request: PiperInferenceRequest): Promise<Served<PiperInferenceResult>> => {
  const model = await loadedSession();
  if (request.kind === 'signature') {
    return { result: { inputNames: model.inputNames, outputNames: model.outputNames } };
  }
  const { ids, scales, speakerId } = request;
  const feeds: Record<string, Tensor> = {
    input: new Tensor('int64', ids, [1, ids.length]),
    input_lengths: new Tensor('int64', BigInt64Array.of(BigInt(ids.length)), [1]),
    scales: new Tensor('float32', scales, [3]),
  };
  if (speakerId !== undefined) feeds.sid = new Tensor('int64', BigInt64Array.of(BigInt(speakerId)), [1]);
  const { output } = await model.run(feeds);
  if (output === undefined || !(output.data instanceof Float32Array)) {
    throw new Error('the Piper model gave no float32 "output"');
  }
  const pcm = floatToPcm16(output.data);
  return { result: pcm, transfer: [pcm.buffer] };
});
