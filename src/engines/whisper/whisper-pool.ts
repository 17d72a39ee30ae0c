import { GatewayError } from '../../core/errors.ts';
import { WorkerPool, type WorkerPoolStats } from '../../core/worker-pool.ts';
import type { TranscribeOptions, Transcriber, Transcript } from '../../contracts/asr.ts';
import { cleanTranscript } from './clean-transcript.ts';
import { readWhisperModelInfo } from './model-file.ts';
import { type ContextJob, type NativeTranscript, PooledContext } from './pooled-context.ts';
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

/**
 * Whisper keeps the last 30 s of a longer input: one encoder window, bounded work, and the end of an utterance
 * (what the user said last) is what the turn answers. The caller caps utterances before this.
 */
export const MAX_AUDIO_SAMPLES = 30 * 16_000;

/** The lane is the session, which makes the queue fair between sessions; a request without one is its own lane. */
interface Transcription extends ContextJob {
  lane: string;
}

/**
 * Speech to text with whisper.cpp: a fixed pool of contexts of one model, shared by every session. Waiting
 * transcriptions are served round-robin by session, so a burst from one does not starve the others.
 */
export class WhisperPool implements Transcriber {
  readonly #pool: WorkerPool<Transcription, NativeTranscript>;
  readonly #threads: number;
  readonly #multilingual: boolean;
  #anonymousLanes = 0;

  private constructor(natives: NativeWhisperContext[], options: WhisperPoolOptions, multilingual: boolean) {
    this.#threads = options.threads;
    this.#multilingual = multilingual;
    const contexts = natives.map((native) => new PooledContext(native));
    this.#pool = new WorkerPool<Transcription, NativeTranscript>(contexts, {
      maxQueued: options.maxQueue,
      laneOf: (transcription) => transcription.lane,
      error: (failure) =>
        failure === 'full'
          ? new GatewayError('asr_busy', `${options.maxQueue} transcriptions are already waiting`)
          : new GatewayError('asr_failed', 'the speech recogniser is closed'),
    });
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
    return this.#transcript(this.#pool.run(this.#transcription(audio16k, options), options.signal));
  }

  transcribePartial(audio16k: Int16Array, options: TranscribeOptions): Promise<Transcript | undefined> {
    const running = this.#pool.tryRun(this.#transcription(audio16k, options), options.signal);
    return running ? this.#transcript(running) : Promise.resolve(undefined);
  }

  queued(): number {
    return this.#pool.stats().queued;
  }

  stats(): WorkerPoolStats {
    return this.#pool.stats();
  }

  /** Fails waiting and running requests with `asr_failed` and releases every context. */
  close(): Promise<void> {
    return this.#pool.close();
  }

  #transcription(audio16k: Int16Array, options: TranscribeOptions): Transcription {
    return {
      audio16k: audio16k.length > MAX_AUDIO_SAMPLES ? audio16k.subarray(audio16k.length - MAX_AUDIO_SAMPLES) : audio16k,
      options: this.#nativeOptions(options.language),
      lane: options.sessionId ?? `anonymous-${this.#anonymousLanes++}`,
    };
  }

  async #transcript(running: Promise<NativeTranscript>): Promise<Transcript> {
    const result = await running;
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
}

async function initWhisperContext(options: WhisperPoolOptions): Promise<NativeWhisperContext> {
  try {
    return await initWhisper({ filePath: options.modelPath, useGpu: options.useGpu }, options.variant);
  } catch (err) {
    throw new GatewayError('model_not_ready', `whisper could not load ${options.modelPath}`, { cause: err });
  }
}
