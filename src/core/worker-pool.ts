import { abortError, BoundedQueue } from './bounded-queue.ts';

/** Why a pool's request failed; the engine turns it into its own error (`tts_failed`, `asr_busy`...). */
export type PoolFailure = 'full' | 'closed' | 'failed' | 'crashed';
export type PoolErrors = (failure: PoolFailure, cause?: unknown) => Error;

/** One worker of a pool: a thread, a native context. It runs one request at a time. */
export interface PoolMember<Request, Result> {
  /**
   * Settles only once the member can take the next request: after an abort, when the abandoned work is really
   * over (`signal` lets it stop early where it can). The pool has answered the caller at once by then.
   */
  run(request: Request, signal: AbortSignal): Promise<Result>;
  close(): Promise<void>;
}

export interface WorkerPoolOptions<Request> {
  /** Requests waiting for a free member; past it `run` refuses (`error('full')`) instead of piling up. */
  maxQueued: number;
  /** Serves waiting requests round-robin by lane (a session) instead of first come, first served. */
  laneOf?: (request: Request) => string;
  /** Lanes served only when no other lane waits (see BoundedQueueOptions.isBackgroundLane). */
  isBackgroundLane?: (lane: string) => boolean;
  error: (failure: 'full' | 'closed') => Error;
}

export interface WorkerPoolStats {
  idle: number;
  busy: number;
  /** Members whose request was abandoned (aborted) while its work still runs. */
  draining: number;
  queued: number;
}

interface Job<Request, Result> {
  request: Request;
  signal: AbortSignal;
  settled: boolean;
  resolve(result: Result): void;
  reject(err: Error): void;
  onAbort(): void;
}

interface Slot<Request, Result> {
  member: PoolMember<Request, Result>;
  running: boolean;
  /** The request whose caller still waits; undefined once it was answered (aborted, closed) or when idle. */
  job: Job<Request, Result> | undefined;
}

/**
 * A fixed set of members fed from a bounded queue (policy `refuse`). A request aborted while queued leaves the
 * queue at once and never runs; one aborted while running is answered at once, and its member comes back only
 * when the work is over (the member may be stopping it). Members that die replace themselves (see WorkerThread):
 * a crash fails only the request it held.
 */
export class WorkerPool<Request, Result> {
  readonly #slots: Slot<Request, Result>[];
  readonly #queue: BoundedQueue<Job<Request, Result>>;
  readonly #error: WorkerPoolOptions<Request>['error'];
  #closed = false;

  constructor(members: readonly PoolMember<Request, Result>[], options: WorkerPoolOptions<Request>) {
    const { laneOf, isBackgroundLane } = options;
    this.#slots = members.map((member) => ({ member, running: false, job: undefined }));
    this.#queue = new BoundedQueue({
      capacity: options.maxQueued,
      overflow: 'refuse',
      ...(laneOf && { laneOf: (job: Job<Request, Result>) => laneOf(job.request) }),
      ...(isBackgroundLane && { isBackgroundLane }),
    });
    this.#error = options.error;
  }

  stats(): WorkerPoolStats {
    const stats = { idle: 0, busy: 0, draining: 0, queued: this.#queue.size };
    for (const slot of this.#slots) {
      if (!slot.running) stats.idle++;
      else if (slot.job === undefined) stats.draining++;
      else stats.busy++;
    }
    return stats;
  }

  /**
   * Runs `request` on a free member, or once one is free. Rejects with an AbortError once `signal` aborts, with
   * `error('full')` when the queue is full and `error('closed')` once closed, or with the member's failure.
   */
  run(request: Request, signal: AbortSignal): Promise<Result> {
    return this.#submit(request, signal, true);
  }

  /** Like `run` when a member is free; undefined (nothing queued) when none is: for work that never waits. */
  tryRun(request: Request, signal: AbortSignal): Promise<Result> | undefined {
    if (this.#closed || signal.aborted || this.#freeSlot()) return this.#submit(request, signal, false);
    return undefined;
  }

  /**
   * Runs `request` once on every member (to load or warm each one). Only while the pool is otherwise idle, as at
   * start-up: each member then takes exactly one of these requests.
   */
  runOnEach(request: Request, signal: AbortSignal): Promise<Result[]> {
    return Promise.all(this.#slots.map(() => this.run(request, signal)));
  }

  /** Fails what is queued or running with `error('closed')` and closes every member. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.close();
    for (const job of this.#queue.clear()) job.reject(this.#error('closed'));
    for (const slot of this.#slots) slot.job?.reject(this.#error('closed'));
    await Promise.all(this.#slots.map((slot) => slot.member.close()));
  }

  #submit(request: Request, signal: AbortSignal, mayWait: boolean): Promise<Result> {
    if (this.#closed) return Promise.reject(this.#error('closed'));
    if (signal.aborted) return Promise.reject(abortError(signal));
    return new Promise<Result>((resolve, reject) => {
      const job: Job<Request, Result> = {
        request,
        signal,
        settled: false,
        resolve: (result) => {
          if (this.#settle(job)) resolve(result);
        },
        reject: (err) => {
          if (this.#settle(job)) reject(err);
        },
        onAbort: () => {
          this.#queue.remove(job);
          job.reject(abortError(signal));
        },
      };
      signal.addEventListener('abort', job.onAbort, { once: true });
      const free = this.#freeSlot();
      if (free) this.#start(free, job);
      else if (!mayWait || !this.#queue.offer(job)) job.reject(this.#error('full'));
    });
  }

  #freeSlot(): Slot<Request, Result> | undefined {
    return this.#slots.find((slot) => !slot.running);
  }

  /** False if `job` was answered already; otherwise marks it answered, and its slot (if any) as draining. */
  #settle(job: Job<Request, Result>): boolean {
    if (job.settled) return false;
    job.settled = true;
    job.signal.removeEventListener('abort', job.onAbort);
    const slot = this.#slots.find((s) => s.job === job);
    if (slot) slot.job = undefined;
    return true;
  }

  #start(slot: Slot<Request, Result>, job: Job<Request, Result>): void {
    slot.running = true;
    slot.job = job;
    // The slot is freed before the caller hears back, so a caller that looks at stats() then sees it free.
    slot.member.run(job.request, job.signal).then(
      (result) => {
        this.#free(slot);
        job.resolve(result);
      },
      (err: unknown) => {
        this.#free(slot);
        job.reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  #free(slot: Slot<Request, Result>): void {
    slot.running = false;
    slot.job = undefined;
    if (this.#closed) return;
    const next = this.#queue.shift();
    if (next) this.#start(slot, next);
  }
}
