import type { Logger } from 'pino';
import { GatewayError, isAbortError } from '../../core/errors.ts';
import type { WorkerPool } from '../../core/worker-pool.ts';
import { type Sentence, splitSentences } from '../piper/text-clauses.ts';
import { speakAhead } from '../piper/speak-ahead.ts';
import { startThreadPool } from '../piper/thread-pool.ts';
import { KokoroInference } from './kokoro-inference.ts';
import type { KokoroPhonemizeRequest } from './phonemize-worker.ts';
import { chunkTokens } from './token-chunks.ts';
import type { VoiceLanguage } from './voice-languages.ts';
import { styleRow, type VoiceStyles } from './voice-pack.ts';
import { phonemesToIds } from './vocab.ts';

/** Sentences waiting for a free phonemizer; past it a request fails loudly (`tts_failed`) instead of piling up. */
const MAX_QUEUED_SENTENCES = 256;
const WARM_UP_PHRASE = 'The quick brown fox jumps over the lazy dog';

export interface KokoroModelOptions {
  threads: number;
  inferenceWorkers: number;
  phonemizerWorkers: number;
  /** The espeak-ng voices the offered Kokoro voices need: each is proven present, and warmed, at load. */
  espeakVoices: readonly string[];
  signal: AbortSignal;
  log?: Pick<Logger, 'warn'> | undefined;
}

export interface SpeakOptions {
  voice: string;
  styles: Float32Array;
  language: VoiceLanguage;
  speed: number;
  signal: AbortSignal;
  /** Batch work (a speech API request): served after live sessions' sentences. */
  batch: boolean;
}

/**
 * Kokoro-82M loaded once and shared by every Kokoro voice: espeak-ng phonemises each sentence (in a worker, one
 * sentence ahead), the phonemes become ids in runs of at most 510, and each run is synthesised with the voice's
 * style row for its length, so the first sentence plays while the next is being made.
 */
export class KokoroModel {
  readonly styles: VoiceStyles;
  readonly #inference: KokoroInference;
  readonly #phonemizer: WorkerPool<KokoroPhonemizeRequest, string[]>;
  readonly #log: Pick<Logger, 'warn'> | undefined;
  /** Symbols already reported as missing from the vocabulary: each is logged once. */
  readonly #reportedMissing = new Set<string>();

  private constructor(styles: VoiceStyles, inference: KokoroInference, phonemizer: WorkerPool<KokoroPhonemizeRequest, string[]>, log: Pick<Logger, 'warn'> | undefined) {
    this.styles = styles;
    this.#inference = inference;
    this.#phonemizer = phonemizer;
    this.#log = log;
  }

  static async load(onnxPath: string, styles: VoiceStyles, options: KokoroModelOptions): Promise<KokoroModel> {
    const inference = await KokoroInference.load(onnxPath, { threads: options.threads, workers: options.inferenceWorkers, signal: options.signal });
    const phonemizer = startThreadPool<KokoroPhonemizeRequest, string[]>({
      workerUrl: new URL('./phonemize-worker.ts', import.meta.url),
      size: options.phonemizerWorkers,
      maxQueued: MAX_QUEUED_SENTENCES,
      label: 'the Kokoro phonemizer',
    });
    try {
      for (const espeakVoice of options.espeakVoices) {
        try {
          await phonemizer.runOnEach({ espeakVoice, dialect: 'other', clauses: [WARM_UP_PHRASE] }, options.signal);
        } catch (err) {
          if (isAbortError(err)) throw err;
          throw new GatewayError('model_not_ready', `espeak voice "${espeakVoice}" is not available: ${(err as Error).message}`, { cause: err });
        }
      }
    } catch (err) {
      await Promise.all([phonemizer.close(), inference.close()]);
      throw err;
    }
    return new KokoroModel(styles, inference, phonemizer, options.log);
  }

  async *speak(text: string, options: SpeakOptions): AsyncGenerator<Int16Array> {
    const { signal } = options;
    const inference = this.#inference;
    // A generator like every synthesizer: bad options fail at the first read, not at the call.
    yield* speakAhead(
      splitSentences(text),
      (sentence) => this.#sentenceIds(sentence, options),
      async function* (clauses) {
        for (const run of chunkTokens(clauses)) {
          if (signal.aborted) return;
          yield await inference.run(run, styleRow(options.styles, run.length), options.speed, signal, options.batch);
        }
      },
      signal,
    );
  }

  async close(): Promise<void> {
    await Promise.all([this.#phonemizer.close(), this.#inference.close()]);
  }

  /**
   * Each clause's ids with its punctuation (espeak drops it; Kokoro was trained with it) and the space after it;
   * none when the sentence says nothing (punctuation only).
   */
  #sentenceIds(sentence: Sentence, options: SpeakOptions): Promise<number[][]> {
    const { espeakVoice, dialect } = options.language;
    const request = { espeakVoice, dialect, clauses: sentence.map((clause) => clause.text), batch: options.batch };
    const ids = this.#phonemizer.run(request, options.signal).then((phonemes) => {
      if (phonemes.every((clause) => clause.trim().length === 0)) return [];
      return sentence.map((clause, i) => {
        const separator = i < sentence.length - 1 ? ' ' : '';
        const mapped = phonemesToIds(`${phonemes[i] ?? ''}${clause.terminator}${separator}`);
        this.#reportMissing(options.voice, mapped.dropped);
        return mapped.ids;
      });
    });
    return ids;
  }

  /** espeak gave symbols Kokoro has no id for: they are skipped, so say which, once. */
  #reportMissing(voice: string, dropped: readonly string[]): void {
    const fresh = [...new Set(dropped)].filter((symbol) => !this.#reportedMissing.has(symbol));
    if (fresh.length === 0) return;
    for (const symbol of fresh) this.#reportedMissing.add(symbol);
    this.#log?.warn({ voice, phonemes: fresh }, 'Kokoro has no id for phonemes; they are skipped');
  }
}
