import { workerData } from 'node:worker_threads';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { floatToPcm16 } from '../../audio/float-to-pcm16.ts';
import { type Served, serveRequests } from '../worker-threads/serve-requests.ts';

/** Handed to each worker: the model file and onnxruntime's intra-op threads. */
export interface KokoroInferenceWorkerData {
  onnxPath: string;
  threads: number;
}

/** What the model takes and gives, by name and type: the exports differ in names (see kokoro-model-inputs.ts). */
export interface KokoroModelSignature {
  inputs: readonly { name: string; type: string | undefined }[];
  outputs: readonly { name: string; type: string | undefined }[];
}

/** How to feed one export: which input takes the ids, and the speed's type. */
export interface KokoroFeedNames {
  ids: string;
  style: string;
  speed: string;
  speedType: 'float32' | 'int32';
  output: string;
}

export type KokoroInferenceRequest =
  | { kind: 'signature'; batch?: boolean }
  // `batch` queues behind live sessions' requests (see ../piper/thread-pool.ts).
  | { kind: 'infer'; feeds: KokoroFeedNames; ids: BigInt64Array; style: Float32Array; speed: number; batch?: boolean };

export type KokoroInferenceResult = KokoroModelSignature | Int16Array;

// onnxruntime-node runs a model synchronously on the thread that calls `run`: in this worker, not the gateway's
// event loop. Requests are handled one at a time.
const { onnxPath, threads } = workerData as KokoroInferenceWorkerData;
let session: Promise<InferenceSession> | undefined;

function loadedSession(): Promise<InferenceSession> {
  session ??= InferenceSession.create(onnxPath, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
  return session;
}

const describe = (metadata: readonly InferenceSession.ValueMetadata[]) =>
  metadata.map((value) => ({ name: value.name, type: value.isTensor ? value.type : undefined }));

serveRequests(async (request: KokoroInferenceRequest): Promise<Served<KokoroInferenceResult>> => {
  const model = await loadedSession();
  if (request.kind === 'signature') return { result: { inputs: describe(model.inputMetadata), outputs: describe(model.outputMetadata) } };
  const { feeds, ids, style, speed } = request;
  const speedTensor =
    feeds.speedType === 'int32' ? new Tensor('int32', Int32Array.of(Math.round(speed)), [1]) : new Tensor('float32', Float32Array.of(speed), [1]);
  const outputs = await model.run({
    [feeds.ids]: new Tensor('int64', ids, [1, ids.length]),
    [feeds.style]: new Tensor('float32', style, [1, style.length]),
    [feeds.speed]: speedTensor,
  });
  const waveform = outputs[feeds.output];
  if (waveform === undefined || !(waveform.data instanceof Float32Array)) throw new Error(`the Kokoro model gave no float32 "${feeds.output}"`);
  const pcm = floatToPcm16(waveform.data);
  return { result: pcm, transfer: [pcm.buffer] };
});
