import { Worker } from 'node:worker_threads';
import type { PoolErrors, PoolMember } from '../../core/worker-pool.ts';

/** What a WorkerThread posts to its thread; `serveRequests` answers each with one reply carrying the same id. */
export interface ThreadRequest<Request> {
  id: number;
  request: Request;
}

export type ThreadReply<Result> = { id: number; result: Result } | { id: number; error: string };

export interface WorkerThreadOptions {
  /** The worker module; it calls `serveRequests`. */
  workerUrl: URL;
  /** Handed to the thread, and to each one that replaces it. */
  workerData?: unknown;
  /** Turns a reported error (`failed`) or a dead thread (`crashed`) into the engine's error. */
  error: PoolErrors;
}

interface Running<Result> {
  id: number;
  resolve(result: Result): void;
  reject(err: Error): void;
  /** The thread is done with the request: it replied or died. */
  ended(): void;
}

/**
 * How long close() lets a running request finish before it terminates the thread anyway. Native inference that
 * takes longer than this is stuck, and the process is going away.
 */
const CLOSE_GRACE_MS = 30_000;

/**
 * One worker thread as a pool member, running one request at a time. A thread that dies (an uncaught error, an
 * exit of its own) fails only the request it was running and is replaced at once by a new one on the same module
 * and data. A request cannot be stopped in a thread: an abandoned one runs to its end before the next.
 *
 * Nor is a thread terminated under a running request: onnxruntime-node finishing a run in a thread that is being
 * torn down throws from native code and aborts the whole process (`terminate called after throwing an instance of
 * 'Napi::Error'`). close() lets the request end first.
 */
export class WorkerThread<Request, Result> implements PoolMember<Request, Result> {
  readonly #options: WorkerThreadOptions;
  #worker: Worker;
  #running: Running<Result> | undefined;
  #nextId = 1;
  #closed = false;
  /** Settles when the thread is done with the request it last took (at once when it took none). */
  #threadIdle: Promise<void> = Promise.resolve();
  #closing: Promise<void> | undefined;

  private constructor(options: WorkerThreadOptions) {
    this.#options = options;
    this.#worker = this.#spawn();
  }

  static start<Request, Result>(options: WorkerThreadOptions): WorkerThread<Request, Result> {
    return new WorkerThread<Request, Result>(options);
  }

  run(request: Request): Promise<Result> {
    if (this.#closed) return Promise.reject(this.#options.error('closed'));
    if (this.#running) return Promise.reject(new Error('a WorkerThread runs one request at a time'));
    return new Promise<Result>((resolve, reject) => {
      const id = this.#nextId++;
      const idle = Promise.withResolvers<void>();
      this.#threadIdle = idle.promise;
      this.#running = { id, resolve, reject, ended: idle.resolve };
      // A running request keeps the process alive; an idle thread does not (as an onnxruntime session would not).
      this.#worker.ref();
      const message: ThreadRequest<Request> = { id, request };
      this.#worker.postMessage(message);
    });
  }

  /** Stops the thread once its running request has ended (its caller hears `closed` now or its answer then). */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.#terminateWhenIdle();
    return this.#closing;
  }

  async #terminateWhenIdle(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_GRACE_MS);
    });
    await Promise.race([this.#threadIdle, grace]);
    clearTimeout(timer);
    await this.#worker.terminate();
  }

  #spawn(): Worker {
    const { workerUrl, workerData, error } = this.#options;
    // No execArgv: the parent's preloads (the OpenTelemetry SDK) have no business in this thread.
    const worker = new Worker(workerUrl, { workerData, execArgv: [] });
    worker.unref();
    let crash: unknown;
    worker.on('message', (reply: ThreadReply<Result>) => {
      const running = this.#running;
      if (running?.id !== reply.id) return;
      this.#running = undefined;
      running.ended();
      worker.unref();
      if ('result' in reply) running.resolve(reply.result);
      else running.reject(error('failed', new Error(reply.error)));
    });
    worker.on('error', (err) => {
      crash = err;
    });
    // After an uncaught error or an exit of its own, and after close(), which terminates on purpose.
    worker.on('exit', (exitCode) => {
      const running = this.#running;
      this.#running = undefined;
      running?.ended();
      if (this.#closed) {
        running?.reject(error('closed'));
        return;
      }
      running?.reject(error('crashed', crash ?? new Error(`the thread exited with code ${exitCode}`)));
      this.#worker = this.#spawn();
    });
    return worker;
  }
}
