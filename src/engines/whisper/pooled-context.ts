import type { NativeJob, NativeTranscribeOptions, NativeWhisperContext } from './whisper-binding.ts';
import { GatewayError } from '../../core/errors.ts';

export type ContextState = 'idle' | 'busy' | 'draining';

export interface NativeTranscript {
  text: string;
  engineMs: number;
  /** What whisper detected or was told. */
  language?: string | undefined;
}

/** 10 ms of silence: whisper.cpp returns at once for input under 100 ms, but only once it holds the context. */
const DRAIN_PROBE = new ArrayBuffer(160 * 2);
const DRAIN_PROBE_OPTIONS: NativeTranscribeOptions = { language: 'en', maxThreads: 1 };

/**
 * One native whisper context running at most one job, and knowing when its native work is really over.
 *
 * Why the drain: in @fugood/whisper.node 1.1.3 `stop()` only sets a flag that is checked before and after
 * `whisper_full` (no abort callback reaches whisper.cpp), so a stopped job runs to its end; and when it ends
 * cancelled, the worker reports the error with one argument where the binding's callback waits for two, so the
 * job's promise never settles. A tiny "drain" job on the same context tells us instead: each job takes the
 * context's mutex for its whole `whisper_full`, so the drain job settles right after the stopped one releases
 * it. Until then the context stays out of the pool: an abandoned job holds a CPU, and at most one per context.
 */
export class PooledContext {
  readonly #native: NativeWhisperContext;
  readonly #onFree: (context: PooledContext) => void;
  #state: ContextState = 'idle';
  #released = false;
  /** Ends the running job from outside (close), as an abort does. */
  #cancelRunning: ((reason: Error) => void) | undefined;

  constructor(native: NativeWhisperContext, onFree: (context: PooledContext) => void) {
    this.#native = native;
    this.#onFree = onFree;
  }

  get state(): ContextState {
    return this.#state;
  }

  /**
   * Runs one transcription. On abort it rejects at once with `abortError(signal)` while the native work goes on;
   * the context comes back through `onFree` only when that work is over.
   */
  run(audio16k: Int16Array, options: NativeTranscribeOptions, signal: AbortSignal, abortError: () => Error): Promise<NativeTranscript> {
    if (this.#state !== 'idle' || this.#released) throw new Error('whisper context is not idle');
    this.#state = 'busy';
    const started = performance.now();
    let job: NativeJob;
    try {
      // The binding takes a whole ArrayBuffer, and the caller's array may be a view into a larger one.
      job = this.#native.transcribeData(audio16k.slice().buffer, options);
    } catch (err) {
      this.#free();
      return Promise.reject(new GatewayError('asr_failed', 'whisper could not start a transcription', { cause: err }));
    }

    return new Promise<NativeTranscript>((resolve, reject) => {
      let settled = false;
      const finish = (): boolean => {
        if (settled) return false;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        this.#cancelRunning = undefined;
        return true;
      };
      const abandon = (reason: Error): void => {
        if (!finish()) return;
        void job.stop();
        this.#drain();
        reject(reason);
      };
      const onAbort = (): void => abandon(abortError());
      this.#cancelRunning = abandon;
      signal.addEventListener('abort', onAbort, { once: true });
      job.promise.then(
        (result) => {
          if (!finish()) return;
          this.#free();
          resolve({ text: result.result, engineMs: performance.now() - started, language: result.language });
        },
        (err: unknown) => {
          if (!finish()) return;
          this.#free();
          reject(new GatewayError('asr_failed', 'whisper transcription failed', { cause: err }));
        },
      );
    });
  }

  /** Ends a running job (its caller gets `reason`) and frees the native context once nothing uses it. */
  async release(reason: Error): Promise<void> {
    this.#cancelRunning?.(reason);
    this.#released = true;
    // The binding keeps the model alive until a running worker ends, then frees it.
    await this.#native.release();
  }

  #drain(): void {
    this.#state = 'draining';
    let probe: NativeJob;
    try {
      probe = this.#native.transcribeData(DRAIN_PROBE, DRAIN_PROBE_OPTIONS);
    } catch {
      // Only a released context refuses work, and a released context is never reused.
      return;
    }
    probe.promise.then(
      () => this.#free(),
      () => this.#free(),
    );
  }

  #free(): void {
    this.#state = 'idle';
    if (!this.#released) this.#onFree(this);
  }
}
