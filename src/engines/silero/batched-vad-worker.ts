import { Worker } from 'node:worker_threads';
import { GatewayError } from '../../core/errors.ts';
import { SILERO_INPUT_SAMPLES, SILERO_STATE_SIZE, SILERO_STATE_UNITS } from './silero-model.ts';
import type { VadRunRequest, VadWorkerData, VadWorkerReply } from './vad-worker.ts';

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

const closedError = () => new DOMException('Silero VAD was closed', 'AbortError');

/**
 * The Silero session in a worker thread, fed in batches: frames that arrive while a run is in flight wait, and go
 * together into the next run. One batch is in flight at a time, so the worker always takes everything that is
 * waiting. The queue needs no cap of its own: each stream has at most one frame in it (SileroStream refuses
 * overlapping calls), so it never holds more frames than there are streams.
 *
 * A worker that dies fails the frames it was running with `internal` and is replaced at once; frames waiting go
 * to the replacement, or fail with `model_not_ready` if it cannot load.
 */
export class BatchedVadWorker {
  readonly modelPath: string;
  readonly #workerUrl: URL;
  /** The worker that answers runs, once it has loaded the model. */
  #worker: Worker | undefined;
  /** Every worker still alive (loading, ready or stopping), so close() can end them all. */
  readonly #workers = new Set<Worker>();
  #restarting = false;
  #queue: PendingFrame[] = [];
  #inFlight: PendingFrame[] = [];
  #closed = false;
  #runs = 0;
  #frames = 0;
  /** Shared with every worker this runner starts (see VadWorkerData); these are the main thread's views. */
  readonly #shared: VadWorkerData;
  readonly #input: Float32Array;
  readonly #state: Float32Array;
  readonly #output: Float32Array;

  private constructor(workerUrl: URL, modelPath: string) {
    this.#workerUrl = workerUrl;
    this.modelPath = modelPath;
    const floats = (count: number) => new SharedArrayBuffer(count * Float32Array.BYTES_PER_ELEMENT);
    this.#shared = {
      modelPath,
      input: floats(MAX_BATCH * SILERO_INPUT_SAMPLES),
      state: floats(MAX_BATCH * SILERO_STATE_SIZE),
      output: floats(MAX_BATCH),
    };
    this.#input = new Float32Array(this.#shared.input);
    this.#state = new Float32Array(this.#shared.state);
    this.#output = new Float32Array(this.#shared.output);
  }

  /** Starts a worker from `workerUrl` (vad-worker.ts, or a script that loads it) and waits until the model is loaded. */
  static async start(workerUrl: URL, modelPath: string, signal?: AbortSignal): Promise<BatchedVadWorker> {
    signal?.throwIfAborted();
    const runner = new BatchedVadWorker(workerUrl, modelPath);
    runner.#worker = await runner.#spawn(signal);
    runner.#updateRef();
    return runner;
  }

  /** Runs one frame: `input` is context + frame (576 samples), `state` the stream's 256 values. Neither is kept. */
  run(input: Float32Array, state: Float32Array): Promise<VadFrameResult> {
    if (this.#closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, state, resolve, reject });
      if (this.#worker) this.#sendNext();
      else this.#restart();
    });
  }

  stats(): VadBatchStats {
    return { runs: this.#runs, frames: this.#frames };
  }

  /** Ends the worker; frames waiting or running reject with an AbortError. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker = undefined;
    this.#fail([...this.#inFlight, ...this.#queue], closedError());
    this.#inFlight = [];
    this.#queue = [];
    await Promise.all([...this.#workers].map((worker) => worker.terminate()));
  }

  #spawn(signal?: AbortSignal): Promise<Worker> {
    // No execArgv: the parent's preloads (the OpenTelemetry SDK) have no business in this thread.
    const worker = new Worker(this.#workerUrl, { workerData: this.#shared, execArgv: [] });
    this.#workers.add(worker);
    let crash: unknown;
    return new Promise<Worker>((resolve, reject) => {
      let loaded = false;
      const onAbort = () => {
        reject(signal?.reason);
        void worker.terminate();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.on('message', (reply: VadWorkerReply) => {
        switch (reply.type) {
          case 'ready':
            loaded = true;
            signal?.removeEventListener('abort', onAbort);
            resolve(worker);
            break;
          case 'load_failed':
            reject(new GatewayError('model_not_ready', reply.message, { cause: reply.cause }));
            void worker.terminate();
            break;
          case 'result':
            this.#settle();
            break;
          case 'run_failed':
            this.#failInFlight(new GatewayError('internal', 'Silero VAD inference failed', { cause: reply.message }));
            break;
        }
      });
      worker.on('error', (err) => {
        crash = err;
      });
      worker.on('exit', () => {
        this.#workers.delete(worker);
        signal?.removeEventListener('abort', onAbort);
        if (!loaded) {
          // After a load_failed or an abort this is a no-op: the promise is settled already.
          reject(new GatewayError('model_not_ready', `Silero VAD worker stopped while loading ${this.modelPath}`, { cause: crash }));
        } else if (worker === this.#worker) {
          this.#worker = undefined;
          this.#failInFlight(new GatewayError('internal', 'Silero VAD worker stopped unexpectedly', { cause: crash }));
          this.#restart();
        }
      });
    });
  }

  /** Replaces a dead worker, unless one is already on its way or nothing waits for it (then the next run() does). */
  #restart(): void {
    if (this.#closed || this.#restarting || this.#queue.length === 0) return;
    this.#restarting = true;
    this.#spawn().then(
      (worker) => {
        this.#restarting = false;
        if (this.#closed) {
          void worker.terminate();
          return;
        }
        this.#worker = worker;
        this.#sendNext();
        this.#updateRef();
      },
      (err: unknown) => {
        this.#restarting = false;
        const waiting = this.#queue;
        this.#queue = [];
        this.#fail(waiting, err);
      },
    );
  }

  #sendNext(): void {
    const worker = this.#worker;
    if (!worker || this.#inFlight.length > 0 || this.#queue.length === 0) return;
    const batch = this.#queue.splice(0, MAX_BATCH);
    const size = batch.length;
    batch.forEach((frame, row) => {
      this.#input.set(frame.input, row * SILERO_INPUT_SAMPLES);
      this.#state.set(frame.state.subarray(0, SILERO_STATE_UNITS), row * SILERO_STATE_UNITS);
      this.#state.set(frame.state.subarray(SILERO_STATE_UNITS), (size + row) * SILERO_STATE_UNITS);
    });
    this.#inFlight = batch;
    const request: VadRunRequest = size;
    worker.postMessage(request);
    this.#updateRef();
  }

  #settle(): void {
    const batch = this.#inFlight;
    this.#inFlight = [];
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
    this.#updateRef();
  }

  #failInFlight(err: unknown): void {
    const batch = this.#inFlight;
    this.#inFlight = [];
    this.#fail(batch, err);
    this.#sendNext();
    this.#updateRef();
  }

  #fail(frames: PendingFrame[], err: unknown): void {
    for (const frame of frames) frame.reject(err);
  }

  /** Like the onnxruntime session it wraps, an idle worker does not keep the process alive; a running batch does. */
  #updateRef(): void {
    if (this.#inFlight.length > 0) this.#worker?.ref();
    else this.#worker?.unref();
  }
}
