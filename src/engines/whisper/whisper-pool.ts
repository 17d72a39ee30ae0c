import { GatewayError } from '../../core/errors.ts';
import type { TranscribeOptions, Transcriber, Transcript } from '../../contracts/asr.ts';
import { cleanTranscript } from './clean-transcript.ts';
import { FairQueue } from './fair-queue.ts';
import { readWhisperModelInfo } from './model-file.ts';
import { PooledContext } from './pooled-context.ts';
import { initWhisper } from './whisper-binding.ts';
import type { NativeTranscribeOptions, NativeWhisperContext, WhisperVariant } from './whisper-binding.ts';

export interface WhisperPoolOptions {
  modelPath: string;
  /** Contexts loaded, each one running one transcription at a time. */
  poolSize: number;
  /** whisper.cpp threads per transcription. */
  threads: number;
  variant: WhisperVariant;
  useGpu: boolean;
  /** Final transcriptions allowed to wait for a context; beyond it `transcribe` fails with `asr_busy`. */
  maxQueue: number;
  signal?: AbortSignal;
}

/** `sessionId` makes the queue fair between sessions; without it each request counts as its own session. */

export interface WhisperPoolStats {
  idle: number;
  busy: number;
  /** Contexts whose job was abandoned (aborted) while its native work still runs. */
  draining: number;
  queued: number;
}

/**
 * Whisper keeps the last 30 s of a longer input: one encoder window, bounded work, and the end of an utterance
 * (what the user said last) is what the turn answers. The caller caps utterances before this.
 */
export const MAX_AUDIO_SAMPLES = 30 * 16_000;

interface QueuedJob {
  key: string;
  audio16k: Int16Array;
  options: TranscribeOptions;
  resolve: (transcript: Transcript) => void;
  reject: (err: unknown) => void;
  onAbort: () => void;
}

/** Speech to text with whisper.cpp: a fixed pool of contexts of one model, shared by every session. */
export class WhisperPool implements Transcriber {
  readonly #contexts: PooledContext[] = [];
  readonly #idle: PooledContext[] = [];
  readonly #queue: FairQueue<QueuedJob>;
  readonly #threads: number;
  readonly #multilingual: boolean;
  #anonymousKeys = 0;
  #closed = false;

  private constructor(natives: NativeWhisperContext[], options: WhisperPoolOptions, multilingual: boolean) {
    this.#queue = new FairQueue(options.maxQueue);
    this.#threads = options.threads;
    this.#multilingual = multilingual;
    for (const native of natives) {
      const context = new PooledContext(native, (freed) => this.#onFree(freed));
      this.#contexts.push(context);
      this.#idle.push(context);
    }
  }

  static async load(options: WhisperPoolOptions): Promise<WhisperPool> {
    const { multilingual } = await readWhisperModelInfo(options.modelPath);
    const natives: NativeWhisperContext[] = [];
    try {
      for (let i = 0; i < options.poolSize; i++) {
        options.signal?.throwIfAborted();
        natives.push(await initWhisperContext(options));
      }
      options.signal?.throwIfAborted();
    } catch (err) {
      await Promise.all(natives.map((native) => native.release()));
      throw err;
    }
    return new WhisperPool(natives, options, multilingual);
  }

  transcribe(audio16k: Int16Array, options: TranscribeOptions): Promise<Transcript> {
    const refused = this.#refusal(options.signal);
    if (refused) return Promise.reject(refused);
    const context = this.#idle.pop();
    if (context) return this.#run(context, audio16k, options);

    return new Promise<Transcript>((resolve, reject) => {
      const key = options.sessionId ?? `anonymous-${this.#anonymousKeys++}`;
      const job: QueuedJob = {
        key,
        audio16k,
        options,
        resolve,
        reject,
        onAbort: () => {
          this.#queue.remove(key, job);
          reject(abortError(options.signal));
        },
      };
      if (!this.#queue.push(key, job)) {
        reject(new GatewayError('asr_busy', `${this.#queue.capacity} transcriptions are already waiting`));
        return;
      }
      options.signal.addEventListener('abort', job.onAbort, { once: true });
    });
  }

  transcribePartial(audio16k: Int16Array, options: TranscribeOptions): Promise<Transcript | undefined> {
    const refused = this.#refusal(options.signal);
    if (refused) return Promise.reject(refused);
    const context = this.#idle.pop();
    return context ? this.#run(context, audio16k, options) : Promise.resolve(undefined);
  }

  stats(): WhisperPoolStats {
    const count = (state: PooledContext['state']): number => this.#contexts.filter((c) => c.state === state).length;
    return { idle: count('idle'), busy: count('busy'), draining: count('draining'), queued: this.#queue.size };
  }

  /** Fails waiting and running requests with `asr_failed` and releases every context. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = (): GatewayError => new GatewayError('asr_failed', 'the speech recogniser is shutting down');
    for (const job of this.#queue.drain()) {
      job.options.signal.removeEventListener('abort', job.onAbort);
      job.reject(closed());
    }
    this.#idle.length = 0;
    await Promise.all(this.#contexts.map((context) => context.release(closed())));
  }

  #refusal(signal: AbortSignal): Error | undefined {
    if (this.#closed) return new GatewayError('asr_failed', 'the speech recogniser is closed');
    if (signal.aborted) return abortError(signal);
    return undefined;
  }

  async #run(context: PooledContext, audio16k: Int16Array, options: TranscribeOptions): Promise<Transcript> {
    const audio = audio16k.length > MAX_AUDIO_SAMPLES ? audio16k.subarray(audio16k.length - MAX_AUDIO_SAMPLES) : audio16k;
    const result = await context.run(audio, this.#nativeOptions(options.language), options.signal, () =>
      abortError(options.signal),
    );
    return { text: cleanTranscript(result.text), engineMs: result.engineMs, ...(result.language && { language: result.language }) };
  }

  #nativeOptions(language: string): NativeTranscribeOptions {
    return {
      // An English-only model cannot detect a language; asking it to only costs an extra encoder pass.
      language: language === 'auto' && !this.#multilingual ? 'en' : language,
      maxThreads: this.#threads,
      // Greedy, one decoder, no temperature fallback: the fastest decode, and the same text for the same audio.
      // (This binding exposes neither no_timestamps nor single_segment.)
      temperature: 0,
      temperatureInc: 0,
      bestOf: 1,
    };
  }

  #onFree(context: PooledContext): void {
    if (this.#closed) return;
    const job = this.#queue.shift();
    if (!job) {
      this.#idle.push(context);
      return;
    }
    job.options.signal.removeEventListener('abort', job.onAbort);
    this.#run(context, job.audio16k, job.options).then(job.resolve, job.reject);
  }
}

async function initWhisperContext(options: WhisperPoolOptions): Promise<NativeWhisperContext> {
  try {
    return await initWhisper({ filePath: options.modelPath, useGpu: options.useGpu }, options.variant);
  } catch (err) {
    throw new GatewayError('model_not_ready', `whisper could not load ${options.modelPath}`, { cause: err });
  }
}

/** Always an Error named AbortError, whatever the signal was aborted with (kept as `cause`). */
function abortError(signal: AbortSignal): Error {
  const error = new Error('transcription aborted', { cause: signal.reason });
  error.name = 'AbortError';
  return error;
}
