import type { PoolMember } from '../../core/worker-pool.ts';
import type { NativeJob, NativeTranscribeOptions, NativeWhisperContext } from './whisper-binding.ts';
import { GatewayError } from '../../core/errors.ts';

export interface NativeTranscript {
  text: string;
  engineMs: number;
  /** What whisper detected or was told. */
  language?: string | undefined;
}

export interface ContextJob {
  audio16k: Int16Array;
  options: NativeTranscribeOptions;
}

/** 10 ms of silence: whisper.cpp returns at once for input under 100 ms, but only once it holds the context. */
const DRAIN_PROBE = new ArrayBuffer(160 * 2);
const DRAIN_PROBE_OPTIONS: NativeTranscribeOptions = { language: 'en', maxThreads: 1 };

/**
 * One native whisper context as a pool member: it runs one job at a time and knows when its native work is
 * really over.
 *
 * Why the drain: in @fugood/whisper.node 1.1.3 `stop()` only sets a flag that is checked before and after
 * `whisper_full` (no abort callback reaches whisper.cpp), so a stopped job runs to its end; and when it ends
 * cancelled, the worker reports the error with one argument where the binding's callback waits for two, so the
 * job's promise never settles. A tiny "drain" job on the same context tells us instead: each job takes the
 * context's mutex for its whole `whisper_full`, so the drain job settles right after the stopped one releases
 * it. Until then `run` does not settle and the context stays out of the pool: an abandoned job holds a CPU, and
 * at most one per context.
 */
export class PooledContext implements PoolMember<ContextJob, NativeTranscript> {
  readonly #native: NativeWhisperContext;
  #running: NativeJob | undefined;

  constructor(native: NativeWhisperContext) {
    this.#native = native;
  }

  /** Runs one transcription; on abort it stops the job and settles (rejects) once the native work is over. */
  run({ audio16k, options }: ContextJob, signal: AbortSignal): Promise<NativeTranscript> {
    const started = performance.now();
    let job: NativeJob;
    try {
      // The binding takes a whole ArrayBuffer, and the caller's array may be a view into a larger one.
      job = this.#native.transcribeData(audio16k.slice().buffer, options);
    } catch (err) {
      return Promise.reject(new GatewayError('asr_failed', 'whisper could not start a transcription', { cause: err }));
    }
    this.#running = job;

    return new Promise<NativeTranscript>((resolve, reject) => {
      let settled = false;
      const finish = (): boolean => {
        if (settled) return false;
        settled = true;
        this.#running = undefined;
        signal.removeEventListener('abort', onAbort);
        return true;
      };
      const onAbort = (): void => {
        if (!finish()) return;
        void job.stop();
        this.#drained().then(() => reject(signal.reason));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      job.promise.then(
        (result) => {
          if (finish()) resolve({ text: result.result, engineMs: performance.now() - started, language: result.language });
        },
        (err: unknown) => {
          if (finish()) reject(new GatewayError('asr_failed', 'whisper transcription failed', { cause: err }));
        },
      );
    });
  }

  /** Stops a running job and frees the native context once nothing uses it. */
  async close(): Promise<void> {
    void this.#running?.stop();
    // The binding keeps the model alive until a running worker ends, then frees it.
    await this.#native.release();
  }

  /** Settles once the context's mutex is free again, i.e. the stopped job's `whisper_full` is over. */
  #drained(): Promise<void> {
    let probe: NativeJob;
    try {
      probe = this.#native.transcribeData(DRAIN_PROBE, DRAIN_PROBE_OPTIONS);
    } catch {
      // Only a released context refuses work, and a released context is never reused.
      return Promise.resolve();
    }
    return probe.promise.then(
      () => undefined,
      () => undefined,
    );
  }
}
