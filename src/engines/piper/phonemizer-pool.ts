import type { WorkerPool } from '../../core/worker-pool.ts';
import type { PhonemizeRequest } from './phonemize-worker.ts';
import { startThreadPool } from './thread-pool.ts';

/** Sentences waiting for a free worker; past it a request fails loudly (`tts_failed`) instead of piling up. */
const MAX_QUEUED_REQUESTS = 256;
const WARM_UP_PHRASE = 'The quick brown fox jumps over the lazy dog';

/**
 * espeak-ng in WASM, in a pool of worker threads: it blocks whatever thread runs it.
 * Each worker handles one sentence at a time; a request aborted while running is abandoned (the worker finishes
 * it and the reply is dropped), one aborted while queued never runs.
 */
export class PhonemizerWorkerPool {
  readonly #language: string;
  readonly #pool: WorkerPool<PhonemizeRequest, string[]>;

  private constructor(language: string, pool: WorkerPool<PhonemizeRequest, string[]>) {
    this.#language = language;
    this.#pool = pool;
  }

  /**
   * Starts `size` workers and has each phonemise a phrase in `language`: that pays espeak's slow first calls
   * (about half a second) at start-up and proves the package has the language.
   */
  static async start(language: string, size: number, signal?: AbortSignal): Promise<PhonemizerWorkerPool> {
    const pool = startThreadPool<PhonemizeRequest, string[]>({
      workerUrl: new URL('./phonemize-worker.ts', import.meta.url),
      size,
      maxQueued: MAX_QUEUED_REQUESTS,
      label: 'the phonemizer',
    });
    try {
      const warmUp = { language, clauses: [WARM_UP_PHRASE] };
      await pool.runOnEach(warmUp, signal ?? new AbortController().signal);
    } catch (err) {
      await pool.close();
      throw err;
    }
    return new PhonemizerWorkerPool(language, pool);
  }

  phonemize(clauses: readonly string[], signal: AbortSignal, batch = false): Promise<string[]> {
    return this.#pool.run({ language: this.#language, clauses: [...clauses], batch }, signal);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}
