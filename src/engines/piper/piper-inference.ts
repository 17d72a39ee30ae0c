import { GatewayError, isAbortError } from '../../core/errors.ts';
import type { WorkerPool } from '../../core/worker-pool.ts';
import type {
  ModelSignature,
  PiperInferenceRequest,
  PiperInferenceResult,
  PiperInferenceWorkerData,
} from './piper-inference-worker.ts';
import { startThreadPool } from './thread-pool.ts';

/**
 * Sentences waiting for a free inference worker. Each synthesis has at most one sentence in inference at a time,
 * so this is about how many sessions may be speaking at once; past it a sentence fails with `tts_failed`.
 */
const MAX_QUEUED_SENTENCES = 256;

export interface PiperInferenceOptions {
  threads: number;
  workers: number;
  signal?: AbortSignal;
}

/** A Piper model loaded in each of a few worker threads, so a sentence's inference never blocks the event loop. */
export class PiperInference {
  readonly signature: ModelSignature;
  readonly #pool: WorkerPool<PiperInferenceRequest, PiperInferenceResult>;

  private constructor(pool: WorkerPool<PiperInferenceRequest, PiperInferenceResult>, signature: ModelSignature) {
    this.#pool = pool;
    this.signature = signature;
  }

  /** Loads the model in every worker; a file onnxruntime refuses fails with `model_not_ready` naming it. */
  static async load(onnxPath: string, options: PiperInferenceOptions): Promise<PiperInference> {
    const workerData: PiperInferenceWorkerData = { onnxPath, threads: options.threads };
    const pool = startThreadPool<PiperInferenceRequest, PiperInferenceResult>({
      workerUrl: new URL('./piper-inference-worker.ts', import.meta.url),
      size: options.workers,
      workerData,
      maxQueued: MAX_QUEUED_SENTENCES,
      label: 'Piper inference',
    });
    try {
      const [signature] = await pool.runOnEach({ kind: 'signature' }, options.signal ?? new AbortController().signal);
      if (signature === undefined || signature instanceof Int16Array) throw new Error('no model signature came back');
      return new PiperInference(pool, signature);
    } catch (err) {
      await pool.close();
      if (isAbortError(err)) throw err;
      const cause = err instanceof GatewayError && err.cause !== undefined ? err.cause : err;
      throw new GatewayError('model_not_ready', `Piper voice model ${onnxPath} could not be loaded`, { cause });
    }
  }

  /** The sentence's audio; rejects with an AbortError once `signal` aborts, with `tts_failed` if the model fails. */
  async run(ids: readonly number[], scales: Float32Array, speakerId: number | undefined, signal: AbortSignal, batch = false): Promise<Int16Array> {
    const audio = await this.#pool.run({ ...inferRequest(ids, scales, speakerId), batch }, signal);
    if (!(audio instanceof Int16Array)) throw new GatewayError('tts_failed', 'Piper inference returned no audio');
    return audio;
  }

  /** Runs `ids` once on every worker: onnxruntime's first run allocates and optimises, pay for it at load. */
  async warmUp(ids: readonly number[], scales: Float32Array, speakerId: number | undefined, signal: AbortSignal): Promise<void> {
    await this.#pool.runOnEach(inferRequest(ids, scales, speakerId), signal);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

function inferRequest(ids: readonly number[], scales: Float32Array, speakerId: number | undefined) {
  return { kind: 'infer', ids: BigInt64Array.from(ids, BigInt), scales, speakerId } satisfies PiperInferenceRequest;
}
