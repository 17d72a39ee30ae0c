import { access } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { GatewayError, isAbortError } from '../../core/errors.ts';
import { speakerIndex, type SynthesisOptions, type Synthesizer } from '../../contracts/tts.ts';
import type { ModelSignature } from './piper-inference-worker.ts';
import { PiperInference } from './piper-inference.ts';
import { phonemesToIds, sentencePhonemes } from './phoneme-ids.ts';
import { PhonemizerWorkerPool } from './phonemizer-pool.ts';
import { speakAhead } from './speak-ahead.ts';
import { type Sentence, splitSentences } from './text-clauses.ts';
import { readVoiceConfig, speakerNames, type VoiceConfig } from './voice-config.ts';

export interface PiperVoiceOptions {
  /** onnxruntime's intra-op threads for this voice's model, in each inference worker. */
  threads: number;
  /** Worker threads each holding the model and synthesising one sentence at a time; 1 when absent. */
  inferenceWorkers?: number;
  /** Worker threads running espeak-ng. */
  phonemizerWorkers: number;
  signal?: AbortSignal;
  /** Where the voice says which phonemes it has no id for. */
  log?: Pick<Logger, 'warn'>;
}

/**
 * A standard Piper voice (`voice.onnx` + `voice.onnx.json`): loaded once, shared by every session. Each
 * sentence is phonemised (in a worker), mapped to ids as piper-phonemize does, and synthesised on its own, so
 * the first sentence plays while the next is still being made.
 */
export class PiperVoice implements Synthesizer {
  readonly name: string;
  readonly sampleRateHz: number;
  readonly speakers: readonly string[];
  readonly #config: VoiceConfig;
  readonly #inference: PiperInference;
  readonly #phonemizer: PhonemizerWorkerPool;
  readonly #log: Pick<Logger, 'warn'> | undefined;
  /** Phonemes already reported as missing from the voice: each is logged once, not once per sentence. */
  readonly #reportedMissing = new Set<string>();

  private constructor(name: string, config: VoiceConfig, inference: PiperInference, phonemizer: PhonemizerWorkerPool, log: Pick<Logger, 'warn'> | undefined) {
    this.name = name;
    this.sampleRateHz = config.audio.sample_rate;
    this.speakers = speakerNames(config);
    this.#config = config;
    this.#inference = inference;
    this.#phonemizer = phonemizer;
    this.#log = log;
  }

  /**
   * Loads `onnxPath` and `${onnxPath}.json`, and runs the model once in every inference worker. A missing,
   * unreadable or invalid file, or an espeak language no phonemizer here has, fails with
   * GatewayError('model_not_ready') naming the file or language.
   */
  static async load(onnxPath: string, options: PiperVoiceOptions): Promise<PiperVoice> {
    try {
      await access(onnxPath);
    } catch (err) {
      throw new GatewayError('model_not_ready', `Piper voice model ${onnxPath} not found`, { cause: err });
    }
    const config = await readVoiceConfig(`${onnxPath}.json`, options.signal);
    options.signal?.throwIfAborted();
    const inference = await PiperInference.load(onnxPath, {
      threads: options.threads,
      workers: options.inferenceWorkers ?? 1,
      signal: options.signal,
    });
    try {
      checkModelInputs(onnxPath, inference.signature, config);
      await warmUp(onnxPath, inference, config, options.signal ?? new AbortController().signal);
      const phonemizer = await startPhonemizer(config.espeak.voice, options.phonemizerWorkers, options.signal);
      return new PiperVoice(basename(onnxPath, '.onnx'), config, inference, phonemizer, options.log);
    } catch (err) {
      await inference.close();
      if (err instanceof GatewayError && !err.message.includes(onnxPath)) {
        throw new GatewayError(err.code, `Piper voice ${onnxPath}: ${err.message}`, { cause: err.cause });
      }
      throw err;
    }
  }

  async *synthesize(text: string, options: SynthesisOptions): AsyncGenerator<Int16Array> {
    const { signal } = options;
    const speakerId = this.#speakerId(options.speaker);
    const scales = this.#scales(options);
    const batch = options.priority === 'batch';
    const inference = this.#inference;
    // A generator like every synthesizer: bad options fail at the first read, not at the call.
    yield* speakAhead(
      splitSentences(text),
      (sentence) => this.#phonemeIds(sentence, signal, batch),
      async function* (ids) {
        if (ids !== undefined) yield await inference.run(ids, scales, speakerId, signal, batch);
      },
      signal,
    );
  }

  async close(): Promise<void> {
    await Promise.all([this.#phonemizer.close(), this.#inference.close()]);
  }

  /** The sentence's ids, or undefined when it has nothing to say (punctuation only). */
  #phonemeIds(sentence: Sentence, signal: AbortSignal, batch: boolean): Promise<number[] | undefined> {
    const clauseTexts = sentence.map((clause) => clause.text);
    const ids = this.#phonemizer.phonemize(clauseTexts, signal, batch).then((ipa) => {
      if (ipa.every((clauseIpa) => clauseIpa.trim().length === 0)) return undefined;
      const clauses = sentence.map((clause, i) => ({ ipa: ipa[i] ?? '', terminator: clause.terminator }));
      const mapped = phonemesToIds(sentencePhonemes(clauses, this.#config.phoneme_map), this.#config.phoneme_id_map);
      this.#reportMissing(mapped.dropped);
      return mapped.ids;
    });
    return ids;
  }

  /** A voice trained on another espeak than ours: it skips those sounds, so say which once. */
  #reportMissing(dropped: readonly string[]): void {
    const fresh = [...new Set(dropped)].filter((phoneme) => !this.#reportedMissing.has(phoneme));
    if (fresh.length === 0) return;
    for (const phoneme of fresh) this.#reportedMissing.add(phoneme);
    this.#log?.warn({ voice: this.name, espeakVoice: this.#config.espeak.voice, phonemes: fresh }, 'voice has no id for phonemes; they are skipped');
  }

  #speakerId(requested: string | number | undefined): number | undefined {
    if (this.speakers.length === 0) return undefined;
    const id = speakerIndex(this.speakers, requested ?? 0);
    if (id === undefined) throw new GatewayError('tts_failed', `voice ${this.name} has no speaker "${requested}" among its ${this.speakers.length}`);
    return id;
  }

  /** noise_scale, length_scale, noise_w: the session's engine options over the voice's own; speed shortens length_scale. */
  #scales(options: SynthesisOptions): Float32Array {
    const parsed = piperOptionsSchema.safeParse(options.engineOptions ?? {});
    if (!parsed.success) throw new GatewayError('tts_failed', `Piper options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const inference = this.#config.inference;
    const { noise_scale = inference.noise_scale, length_scale = inference.length_scale / (options.speed ?? 1), noise_w = inference.noise_w } = parsed.data;
    return Float32Array.of(noise_scale, length_scale, noise_w);
  }
}

/** Piper's own knobs, as its voice config names them. */
const piperOptionsSchema = z.strictObject({
  length_scale: z.number().min(0.25).max(4).optional(),
  noise_scale: z.number().min(0).max(2).optional(),
  noise_w: z.number().min(0).max(2).optional(),
});

/** Proves at load, on every worker, that espeak-ng has the voice's language. */
async function startPhonemizer(language: string, workers: number, signal: AbortSignal | undefined): Promise<PhonemizerWorkerPool> {
  try {
    return await PhonemizerWorkerPool.start(language, workers, signal);
  } catch (err) {
    if (isAbortError(err)) throw err;
    throw new GatewayError('model_not_ready', `espeak voice "${language}" is not available: ${(err as Error).message}`, { cause: err });
  }
}

function checkModelInputs(onnxPath: string, signature: ModelSignature, config: VoiceConfig): void {
  const missing = ['input', 'input_lengths', 'scales'].filter((name) => !signature.inputNames.includes(name));
  if (missing.length > 0) {
    throw new GatewayError('model_not_ready', `Piper voice model ${onnxPath} lacks the inputs ${missing.join(', ')}`);
  }
  if (!signature.outputNames.includes('output')) {
    throw new GatewayError('model_not_ready', `Piper voice model ${onnxPath} lacks the output "output"`);
  }
  const hasSid = signature.inputNames.includes('sid');
  if (hasSid !== config.num_speakers > 1) {
    throw new GatewayError(
      'model_not_ready',
      `Piper voice ${onnxPath}: num_speakers is ${config.num_speakers} but the model ${hasSid ? 'has' : 'lacks'} a "sid" input`,
    );
  }
}

/** Speaks the empty sentence (BOS, pad, EOS) with the voice's defaults: the model runs, and is ready to run fast. */
async function warmUp(onnxPath: string, inference: PiperInference, config: VoiceConfig, signal: AbortSignal): Promise<void> {
  const idMap = config.phoneme_id_map;
  const ids = ['^', '_', '$'].flatMap((symbol) => idMap[symbol] ?? []);
  const { noise_scale, length_scale, noise_w } = config.inference;
  const speakerId = config.num_speakers > 1 ? 0 : undefined;
  try {
    await inference.warmUp(ids, Float32Array.of(noise_scale, length_scale, noise_w), speakerId, signal);
  } catch (err) {
    if (isAbortError(err)) throw err;
    throw new GatewayError('model_not_ready', `Piper voice model ${onnxPath} failed its first run`, { cause: err });
  }
}
