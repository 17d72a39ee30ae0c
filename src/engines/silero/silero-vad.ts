import { BatchedVadWorker, type VadBatchStats, type VadFrameResult } from './batched-vad-worker.ts';
import type { VadModel, VadStream } from '../../contracts/vad.ts';
import {
  defaultSileroModelPath,
  SILERO_CONTEXT_SAMPLES,
  SILERO_FRAME_SAMPLES,
  SILERO_INPUT_SAMPLES,
  SILERO_SAMPLE_RATE_HZ,
  SILERO_STATE_SIZE,
} from './silero-model.ts';

export {
  defaultSileroModelPath,
  SILERO_FRAME_MS,
  SILERO_FRAME_SAMPLES,
  SILERO_SAMPLE_RATE_HZ,
} from './silero-model.ts';
export type { VadBatchStats } from './batched-vad-worker.ts';

export interface SileroLoadOptions {
  modelPath?: string;
  signal?: AbortSignal;
}

const WORKER_URL = new URL('./vad-worker.ts', import.meta.url);

/**
 * One loaded model shared by every session; each session takes its own `createStream()`. Inference runs in a
 * worker thread, where the frames of all streams that are waiting run together as one batch.
 */
export class SileroVad implements VadModel {
  readonly modelPath: string;
  readonly #worker: BatchedVadWorker;

  private constructor(worker: BatchedVadWorker) {
    this.#worker = worker;
    this.modelPath = worker.modelPath;
  }

  /** Rejects with `model_not_ready` (naming the path) when the model cannot be loaded, or with the abort. */
  static async load(options: SileroLoadOptions = {}): Promise<SileroVad> {
    const modelPath = options.modelPath ?? defaultSileroModelPath();
    return new SileroVad(await BatchedVadWorker.start(WORKER_URL, modelPath, options.signal));
  }

  createStream(): SileroStream {
    return new SileroStream((input, state) => this.#worker.run(input, state));
  }

  /** Model runs and the frames they carried since load. */
  stats(): VadBatchStats {
    return this.#worker.stats();
  }

  /** Stops the worker; frames still waiting for a probability reject with an AbortError. */
  close(): Promise<void> {
    return this.#worker.close();
  }
}

type RunFrame = (input: Float32Array, state: Float32Array) => Promise<VadFrameResult>;

/** One session's recurrent state. Calls must not overlap: each frame needs the state the previous one left. */
export class SileroStream implements VadStream {
  readonly frameSamples = SILERO_FRAME_SAMPLES;
  readonly sampleRateHz = SILERO_SAMPLE_RATE_HZ;
  readonly #run: RunFrame;
  #input = new Float32Array(SILERO_INPUT_SAMPLES);
  #state: Float32Array = new Float32Array(SILERO_STATE_SIZE);
  #busy = false;
  /** Bumped by reset(), so a frame that was running across a reset does not bring the old state back. */
  #generation = 0;

  constructor(run: RunFrame) {
    this.#run = run;
  }

  /**
   * Speech probability (0..1) of one 32 ms frame of 16 kHz mono audio scaled to -1..1. Rejects with an AbortError
   * once the VAD is closed, and with `internal` if its worker died while running this frame.
   */
  async process(frame: Float32Array): Promise<number> {
    if (frame.length !== SILERO_FRAME_SAMPLES) {
      throw new RangeError(`Silero VAD takes ${SILERO_FRAME_SAMPLES} samples per frame, got ${frame.length}`);
    }
    if (this.#busy) throw new Error('SileroStream.process called while a frame is still running');
    this.#busy = true;
    const generation = this.#generation;
    try {
      this.#input.set(frame, SILERO_CONTEXT_SAMPLES);
      const { probability, state } = await this.#run(this.#input, this.#state);
      if (generation === this.#generation) {
        this.#state = state;
        this.#input.copyWithin(0, SILERO_INPUT_SAMPLES - SILERO_CONTEXT_SAMPLES);
      }
      return probability;
    } finally {
      this.#busy = false;
    }
  }

  /** Replaces the buffers rather than clearing them: a frame still waiting for the worker reads the old ones. */
  reset(): void {
    this.#generation += 1;
    this.#state = new Float32Array(SILERO_STATE_SIZE);
    this.#input = new Float32Array(SILERO_INPUT_SAMPLES);
  }
}
