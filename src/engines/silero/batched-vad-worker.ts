import { BoundedQueue } from '../../core/bounded-queue.ts';
import { GatewayError, isAbortError } from '../../core/errors.ts';
import { type PoolFailure, WorkerPool } from '../../core/worker-pool.ts';
import { WorkerThread } from '../worker-threads/worker-thread.ts';
import { SILERO_INPUT_SAMPLES, SILERO_STATE_SIZE, SILERO_STATE_UNITS } from './silero-model.ts';
import type { VadRequest, VadWorkerData } from './vad-worker.ts';

/** One frame's answer: its speech probability and the stream's next recurrent state. */
export interface VadFrameResult {
  probability: number;
  state: Float32Array;
}

/** How many model runs were made and how many frames they carried (their ratio is the mean batch). */
export interface VadBatchStats {
  runs: number;
  frames: number;
}

interface PendingFrame {
  input: Float32Array;
  state: Float32Array;
  resolve: (result: VadFrameResult) => void;
  reject: (err: unknown) => void;
}

/**
 * Past about 25 rows a batch costs the same per frame (about 45 us against 130 us alone); a cap keeps one run short
 * (about 3 ms), so frames arriving behind it do not wait long.
 */
const MAX_BATCH = 64;

/**
 * Each stream has at most one frame waiting (SileroStream refuses overlapping calls) and a gateway holds at most
 * 100 000 sessions (the ceiling of limits.maxSessions), so this cap is never reached in use; past it a frame is
 * refused with `internal` rather than let a bug grow the queue without end.
 */
const MAX_WAITING_FRAMES = 100_000;

/** Frames have no signal of their own: a stream stops by not sending the next one, the VAD by close(). */
const NEVER_ABORTED = new AbortController().signal;

function vadError(failure: PoolFailure, cause?: unknown): Error {
  switch (failure) {
    case 'closed':
      return new DOMException('Silero VAD was closed', 'AbortError');
    case 'full':
      return new GatewayError('internal', `more than ${MAX_WAITING_FRAMES} frames wait for Silero VAD`);
    case 'failed':
      return new GatewayError('internal', 'Silero VAD inference failed', { cause });
    case 'crashed':
      return new GatewayError('internal', 'Silero VAD worker stopped unexpectedly', { cause });
  }
}

/**
 * The Silero session in a worker thread (a pool of one, which replaces the thread when it dies), fed in batches:
 * frames that arrive while a run is in flight wait, and go together into the next run. One batch is in flight at
 * a time, so the thread always takes everything that is waiting (up to MAX_BATCH) and the shared memory has one
 * user at a time.
 *
 * A thread that dies fails the frames it was running with `internal`; the frames waiting go to its replacement,
 * which loads the model on its first batch.
 */
export class BatchedVadWorker {
  readonly modelPath: string;
  readonly #pool: WorkerPool<VadRequest, undefined>;
  readonly #waiting = new BoundedQueue<PendingFrame>({ capacity: MAX_WAITING_FRAMES, overflow: 'refuse' });
  #inFlight = false;
  #runs = 0;
  #frames = 0;
  /** The main thread's views of the memory shared with the thread (see VadWorkerData). */
  readonly #input: Float32Array;
  readonly #state: Float32Array;
  readonly #output: Float32Array;

  private constructor(modelPath: string, shared: VadWorkerData, pool: WorkerPool<VadRequest, undefined>) {
    this.modelPath = modelPath;
    this.#pool = pool;
    this.#input = new Float32Array(shared.input);
    this.#state = new Float32Array(shared.state);
    this.#output = new Float32Array(shared.output);
  }

  /**
   * Starts a thread from `workerUrl` (vad-worker.ts, or a script that loads it) and waits until the model is
   * loaded. Rejects with `model_not_ready` naming the path when it cannot be, or with the abort.
   */
  static async start(workerUrl: URL, modelPath: string, signal: AbortSignal = NEVER_ABORTED): Promise<BatchedVadWorker> {
    signal.throwIfAborted();
    const floats = (count: number) => new SharedArrayBuffer(count * Float32Array.BYTES_PER_ELEMENT);
    const shared: VadWorkerData = {
      modelPath,
      input: floats(MAX_BATCH * SILERO_INPUT_SAMPLES),
      state: floats(MAX_BATCH * SILERO_STATE_SIZE),
      output: floats(MAX_BATCH),
    };
    const thread = WorkerThread.start<VadRequest, undefined>({ workerUrl, workerData: shared, error: vadError });
    const pool = new WorkerPool([thread], { maxQueued: 0, error: vadError });
    try {
      await pool.run({ kind: 'load' }, signal);
    } catch (err) {
      await pool.close();
      if (isAbortError(err)) throw err;
      const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
      throw new GatewayError('model_not_ready', `Silero VAD could not load ${modelPath}`, { cause });
    }
    return new BatchedVadWorker(modelPath, shared, pool);
  }

  /** Runs one frame: `input` is context + frame (576 samples), `state` the stream's 256 values. Neither is kept. */
  run(input: Float32Array, state: Float32Array): Promise<VadFrameResult> {
    return new Promise((resolve, reject) => {
      if (!this.#waiting.offer({ input, state, resolve, reject })) {
        reject(vadError(this.#waiting.closed ? 'closed' : 'full'));
        return;
      }
      this.#sendNext();
    });
  }

  stats(): VadBatchStats {
    return { runs: this.#runs, frames: this.#frames };
  }

  /** Ends the thread; frames waiting or running reject with an AbortError. */
  async close(): Promise<void> {
    this.#waiting.close();
    for (const frame of this.#waiting.clear()) frame.reject(vadError('closed'));
    await this.#pool.close();
  }

  #sendNext(): void {
    if (this.#inFlight || this.#waiting.size === 0) return;
    const batch = this.#waiting.shiftMany(MAX_BATCH);
    const size = batch.length;
    batch.forEach((frame, row) => {
      this.#input.set(frame.input, row * SILERO_INPUT_SAMPLES);
      this.#state.set(frame.state.subarray(0, SILERO_STATE_UNITS), row * SILERO_STATE_UNITS);
      this.#state.set(frame.state.subarray(SILERO_STATE_UNITS), (size + row) * SILERO_STATE_UNITS);
    });
    this.#inFlight = true;
    this.#pool.run({ kind: 'run', batch: size }, NEVER_ABORTED).then(
      () => this.#settle(batch),
      (err: unknown) => {
        this.#inFlight = false;
        for (const frame of batch) frame.reject(err);
        this.#sendNext();
      },
    );
  }

  #settle(batch: PendingFrame[]): void {
    this.#inFlight = false;
    const size = batch.length;
    this.#runs += 1;
    this.#frames += size;
    batch.forEach((frame, row) => {
      const state = new Float32Array(SILERO_STATE_SIZE);
      state.set(this.#state.subarray(row * SILERO_STATE_UNITS, (row + 1) * SILERO_STATE_UNITS));
      const second = (size + row) * SILERO_STATE_UNITS;
      state.set(this.#state.subarray(second, second + SILERO_STATE_UNITS), SILERO_STATE_UNITS);
      frame.resolve({ probability: this.#output[row]!, state });
    });
    this.#sendNext();
  }
}
