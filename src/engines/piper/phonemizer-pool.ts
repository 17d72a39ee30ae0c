import { Worker } from 'node:worker_threads';
import { GatewayError } from '../../protocol/errors.ts';
import { abortError, type ClausePhonemizer } from './clause-phonemizer.ts';
import type { PhonemizeReply, PhonemizeRequest } from './phonemize-worker.ts';

/** Sentences waiting for a free worker; past it a request fails loudly (`tts_failed`) instead of piling up. */
const MAX_QUEUED_REQUESTS = 256;
const WARM_UP_PHRASE = 'The quick brown fox jumps over the lazy dog';
const WORKER_URL = new URL('./phonemize-worker.ts', import.meta.url);

interface Job {
  id: number;
  clauses: string[];
  signal: AbortSignal;
  settled: boolean;
  resolve(ipa: string[]): void;
  reject(err: Error): void;
  onAbort(): void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

/**
 * The `phonemizer` package (espeak-ng in WASM) in a pool of worker threads: it blocks whatever thread runs it.
 * Each worker handles one sentence at a time; a request aborted while running is abandoned (the worker finishes
 * it and the reply is dropped), one aborted while queued never runs.
 */
export class PhonemizerWorkerPool implements ClausePhonemizer {
  readonly backend = 'phonemizer-wasm';
  readonly #language: string;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;

  private constructor(language: string) {
    this.#language = language;
  }

  /**
   * Starts `size` workers and has each phonemise a phrase in `language`: that pays espeak's slow first calls
   * (about half a second) at start-up and proves the package has the language.
   */
  static async start(language: string, size: number, signal?: AbortSignal): Promise<PhonemizerWorkerPool> {
    const pool = new PhonemizerWorkerPool(language);
    for (let i = 0; i < size; i++) pool.#slots.push(pool.#spawnSlot());
    try {
      const warmUp = signal ?? new AbortController().signal;
      await Promise.all(pool.#slots.map(() => pool.phonemize([WARM_UP_PHRASE], warmUp)));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  phonemize(clauses: readonly string[], signal: AbortSignal): Promise<string[]> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    if (this.#closed) return Promise.reject(new GatewayError('tts_failed', 'the phonemizer pool is closed'));
    if (this.#queue.length >= MAX_QUEUED_REQUESTS) {
      return Promise.reject(new GatewayError('tts_failed', 'too many sentences waiting for the phonemizer'));
    }
    return new Promise<string[]>((resolve, reject) => {
      const job: Job = {
        id: this.#nextId++,
        clauses: [...clauses],
        signal,
        settled: false,
        resolve: (ipa) => this.#settle(job, () => resolve(ipa)),
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

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(new GatewayError('tts_failed', 'the phonemizer pool closed'));
    await Promise.all(
      this.#slots.map(async (slot) => {
        slot.job?.reject(new GatewayError('tts_failed', 'the phonemizer pool closed'));
        await slot.worker.terminate();
      }),
    );
  }

  #settle(job: Job, settle: () => void): void {
    if (job.settled) return;
    job.settled = true;
    job.signal.removeEventListener('abort', job.onAbort);
    settle();
  }

  #spawnSlot(): Slot {
    const slot: Slot = { worker: new Worker(WORKER_URL), job: undefined };
    slot.worker.on('message', (reply: PhonemizeReply) => {
      const job = slot.job;
      slot.job = undefined;
      if (job !== undefined && job.id === reply.id) {
        if ('ipa' in reply) job.resolve(reply.ipa);
        else job.reject(new GatewayError('tts_failed', 'phonemisation failed', { cause: new Error(reply.error) }));
      }
      this.#dispatch();
    });
    // A crashed worker is replaced so the pool keeps its size; only the sentence it held fails.
    slot.worker.on('error', (err) => {
      slot.job?.reject(new GatewayError('tts_failed', 'a phonemizer worker crashed', { cause: err }));
      slot.job = undefined;
      if (this.#closed) return;
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
      const request: PhonemizeRequest = { id: job.id, language: this.#language, clauses: job.clauses };
      slot.worker.postMessage(request);
    }
  }
}
