import { type Transferable, Worker } from 'node:worker_threads';
import { GatewayError } from '../../core/errors.ts';
import { abortError } from './clause-phonemizer.ts';

/** What the pool posts to a worker; `serveRequests` answers each with one reply carrying the same id. */
export interface PoolRequest<Request> {
  id: number;
  request: Request;
}

export type PoolReply<Result> = { id: number; result: Result } | { id: number; error: string };

export interface WorkerPoolOptions {
  /** The worker module; it calls `serveRequests`. */
  workerUrl: URL;
  size: number;
  /** Handed to every worker (also to the replacement of a crashed one). */
  workerData?: unknown;
  /** Requests waiting for a free worker; past it a request fails loudly (`tts_failed`) instead of piling up. */
  maxQueued: number;
  /** Names the work in error messages, e.g. "the phonemizer". */
  label: string;
}

interface Job<Request, Result> {
  id: number;
  request: Request;
  transfer: readonly Transferable[];
  signal: AbortSignal;
  settled: boolean;
  resolve(result: Result): void;
  reject(err: Error): void;
  onAbort(): void;
}

interface Slot<Request, Result> {
  worker: Worker;
  job: Job<Request, Result> | undefined;
}

/**
 * A fixed set of worker threads, each handling one request at a time, fed from a bounded FIFO queue. A request
 * aborted while queued leaves the queue at once and never runs; one aborted while running is abandoned (the
 * worker finishes it and the reply is dropped). A crashed worker is replaced; only the request it held fails.
 */
export class WorkerPool<Request, Result> {
  readonly #options: WorkerPoolOptions;
  readonly #slots: Slot<Request, Result>[] = [];
  readonly #queue: Job<Request, Result>[] = [];
  #nextId = 1;
  #closed = false;

  private constructor(options: WorkerPoolOptions) {
    this.#options = options;
  }

  static start<Request, Result>(options: WorkerPoolOptions): WorkerPool<Request, Result> {
    const pool = new WorkerPool<Request, Result>(options);
    for (let i = 0; i < options.size; i++) pool.#slots.push(pool.#spawnSlot());
    return pool;
  }

  /** Requests waiting for a free worker. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Runs `request` on the next free worker. `transfer` lists buffers handed over without a copy (unusable here
   * afterwards). Rejects with an AbortError once `signal` aborts, and with `tts_failed` when the worker reports
   * an error or crashes, the queue is full or the pool is closed.
   */
  run(request: Request, signal: AbortSignal, transfer: readonly Transferable[] = []): Promise<Result> {
    const { label, maxQueued } = this.#options;
    if (signal.aborted) return Promise.reject(abortError(signal));
    if (this.#closed) return Promise.reject(new GatewayError('tts_failed', `${label} is closed`));
    if (this.#queue.length >= maxQueued) {
      return Promise.reject(new GatewayError('tts_failed', `too many requests waiting for ${label}`));
    }
    return new Promise<Result>((resolve, reject) => {
      const job: Job<Request, Result> = {
        id: this.#nextId++,
        request,
        transfer,
        signal,
        settled: false,
        resolve: (result) => this.#settle(job, () => resolve(result)),
        reject: (err) => this.#settle(job, () => reject(err)),
        onAbort: () => {
          const queued = this.#queue.indexOf(job);
          if (queued >= 0) this.#queue.splice(queued, 1);
          job.reject(abortError(signal));
        },
      };
      signal.addEventListener('abort', job.onAbort, { once: true });
      this.#queue.push(job);
      this.#dispatch();
    });
  }

  /**
   * Runs `request` once on every worker (to load or warm each one). Only while the pool is otherwise idle, as at
   * start-up: each worker then takes exactly one of these requests.
   */
  runOnEveryWorker(request: Request, signal: AbortSignal): Promise<Result[]> {
    return Promise.all(this.#slots.map(() => this.run(request, signal)));
  }

  /** Fails what is queued or running and waits for every worker to end. */
  async close(): Promise<void> {
    this.#closed = true;
    const closed = (): GatewayError => new GatewayError('tts_failed', `${this.#options.label} closed`);
    for (const job of this.#queue.splice(0)) job.reject(closed());
    await Promise.all(
      this.#slots.map(async (slot) => {
        slot.job?.reject(closed());
        await slot.worker.terminate();
      }),
    );
  }

  #settle(job: Job<Request, Result>, settle: () => void): void {
    if (job.settled) return;
    job.settled = true;
    job.signal.removeEventListener('abort', job.onAbort);
    settle();
  }

  #spawnSlot(): Slot<Request, Result> {
    const { workerUrl, workerData, label } = this.#options;
    const slot: Slot<Request, Result> = { worker: new Worker(workerUrl, { workerData }), job: undefined };
    slot.worker.on('message', (reply: PoolReply<Result>) => {
      const job = slot.job;
      slot.job = undefined;
      if (job !== undefined && job.id === reply.id) {
        if ('result' in reply) job.resolve(reply.result);
        else job.reject(new GatewayError('tts_failed', `${label} failed`, { cause: new Error(reply.error) }));
      }
      this.#dispatch();
    });
    slot.worker.on('error', (err) => {
      slot.job?.reject(new GatewayError('tts_failed', `a worker of ${label} crashed`, { cause: err }));
    });
    // After an uncaught error or an exit of its own; not after close(), which terminates on purpose.
    slot.worker.on('exit', (exitCode) => {
      if (this.#closed) return;
      slot.job?.reject(new GatewayError('tts_failed', `a worker of ${label} exited with code ${exitCode}`));
      slot.job = undefined;
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots[index] = this.#spawnSlot();
      this.#dispatch();
    });
    return slot;
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (slot.job !== undefined) continue;
      const job = this.#queue.shift();
      if (job === undefined) return;
      slot.job = job;
      const message: PoolRequest<Request> = { id: job.id, request: job.request };
      slot.worker.postMessage(message, job.transfer);
    }
  }
}
