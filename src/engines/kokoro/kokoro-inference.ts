import { GatewayError, isAbortError } from '../../core/errors.ts';
import type { WorkerPool } from '../../core/worker-pool.ts';
import { startThreadPool } from '../piper/thread-pool.ts';
import type { KokoroFeedNames, KokoroInferenceRequest, KokoroInferenceResult, KokoroInferenceWorkerData } from './kokoro-inference-worker.ts';
import { feedNames } from './kokoro-model-inputs.ts';
import { PAD_ID, STYLE_DIM } from './vocab.ts';

/**
 * Model runs waiting for a free worker. Each synthesis has at most one run in inference at a time, so this is about
 * how many sessions may be speaking at once; past it a run fails with `tts_failed`.
 */
const MAX_QUEUED_RUNS = 256;

export interface KokoroInferenceOptions {
  threads: number;
  workers: number;
  signal: AbortSignal;
}

/** The Kokoro model loaded in each of a few worker threads, so a run never blocks the event loop. */
export class KokoroInference {
  readonly #pool: WorkerPool<KokoroInferenceRequest, KokoroInferenceResult>;
  readonly #feeds: KokoroFeedNames;

  private constructor(pool: WorkerPool<KokoroInferenceRequest, KokoroInferenceResult>, feeds: KokoroFeedNames) {
    this.#pool = pool;
    this.#feeds = feeds;
  }

  /**
   * Loads the model in every worker, checks it has Kokoro's inputs and runs it once (onnxruntime's first run
   * allocates and optimises: paid at load, not by the first caller). Fails with `model_not_ready` naming the file.
   */
  static async load(onnxPath: string, options: KokoroInferenceOptions): Promise<KokoroInference> {
    const workerData: KokoroInferenceWorkerData = { onnxPath, threads: options.threads };
    const pool = startThreadPool<KokoroInferenceRequest, KokoroInferenceResult>({
      workerUrl: new URL('./kokoro-inference-worker.ts', import.meta.url),
      size: options.workers,
      workerData,
      maxQueued: MAX_QUEUED_RUNS,
      label: 'Kokoro inference',
    });
    try {
      const [signature] = await pool.runOnEach({ kind: 'signature' }, options.signal);
      if (signature === undefined || signature instanceof Int16Array) throw new Error('no model signature came back');
      const feeds = feedNames(signature);
      if (typeof feeds === 'string') throw new GatewayError('model_not_ready', `Kokoro model ${onnxPath} is not a Kokoro export: ${feeds}`);
      const warmUp = { kind: 'infer', feeds, ids: BigInt64Array.of(BigInt(PAD_ID), BigInt(PAD_ID)), style: new Float32Array(STYLE_DIM), speed: 1 } as const;
      await pool.runOnEach(warmUp, options.signal);
      return new KokoroInference(pool, feeds);
    } catch (err) {
      await pool.close();
      if (isAbortError(err) || (err instanceof GatewayError && err.code === 'model_not_ready')) throw err;
      const cause = err instanceof GatewayError && err.cause !== undefined ? err.cause : err;
      throw new GatewayError('model_not_ready', `Kokoro model ${onnxPath} could not be loaded`, { cause });
    }
  }

  /** One run's audio: `ids` between the pads, one style row; rejects with an AbortError once `signal` aborts. */
  async run(ids: readonly number[], style: Float32Array, speed: number, signal: AbortSignal, batch = false): Promise<Int16Array> {
    const padded = BigInt64Array.from([PAD_ID, ...ids, PAD_ID], BigInt);
    const audio = await this.#pool.run({ kind: 'infer', feeds: this.#feeds, ids: padded, style, speed, batch }, signal);
    if (!(audio instanceof Int16Array)) throw new GatewayError('tts_failed', 'Kokoro inference returned no audio');
    return audio;
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
