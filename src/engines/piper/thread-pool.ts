import { GatewayError } from '../../core/errors.ts';
import { type PoolFailure, WorkerPool } from '../../core/worker-pool.ts';
import { WorkerThread } from '../worker-threads/worker-thread.ts';

export interface ThreadPoolOptions {
  /** The worker module; it calls `serveRequests`. */
  workerUrl: URL;
  size: number;
  /** Handed to every thread (also to the replacement of a crashed one). */
  workerData?: unknown;
  /** Requests waiting for a free thread; past it a request fails loudly (`tts_failed`) instead of piling up. */
  maxQueued: number;
  /** Names the work in error messages, e.g. "the phonemizer". */
  label: string;
}

/** A request marked `batch` (an API request) waits while any live session's request waits. */
export interface Prioritised {
  batch?: boolean;
}

const FAILURES: Record<PoolFailure, (label: string) => string> = {
  full: (label) => `too many requests waiting for ${label}`,
  closed: (label) => `${label} is closed`,
  failed: (label) => `${label} failed`,
  crashed: (label) => `a worker of ${label} crashed`,
};

/** Piper's blocking work (espeak, onnxruntime) in `size` worker threads; every failure is `tts_failed`. */
export function startThreadPool<Request extends Prioritised, Result>(options: ThreadPoolOptions): WorkerPool<Request, Result> {
  const { workerUrl, workerData, label } = options;
  const error = (failure: PoolFailure, cause?: unknown): Error =>
    new GatewayError('tts_failed', FAILURES[failure](label), { cause });
  const threads = Array.from({ length: options.size }, () => WorkerThread.start<Request, Result>({ workerUrl, workerData, error }));
  return new WorkerPool(threads, {
    maxQueued: options.maxQueued,
    error,
    laneOf: (request) => (request.batch === true ? 'batch' : 'live'),
    isBackgroundLane: (lane) => lane === 'batch',
  });
}
