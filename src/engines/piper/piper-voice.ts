import { access } from 'node:fs/promises';
import { basename } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { GatewayError, isAbortError } from '../../protocol/errors.ts';
import type { SynthesisOptions, Synthesizer } from '../../stages/tts/synthesizer.ts';
import type { ClausePhonemizer } from './clause-phonemizer.ts';
import { phonemesToIds, sentencePhonemes } from './phoneme-ids.ts';
import { startClausePhonemizer } from './start-phonemizer.ts';
import { type Sentence, splitSentences } from './text-clauses.ts';
import { readVoiceConfig, speakerNames, type VoiceConfig } from './voice-config.ts';

export interface PiperVoiceOptions {
  /** onnxruntime's intra-op threads for this voice's model. */
  threads: number;
  /** Worker threads running espeak (or concurrent `espeak-ng` processes for languages the package lacks). */
  phonemizerWorkers: number;
  signal?: AbortSignal;
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
  readonly #session: InferenceSession;
  readonly #phonemizer: ClausePhonemizer;
  #droppedPhonemes = 0;

  private constructor(name: string, config: VoiceConfig, session: InferenceSession, phonemizer: ClausePhonemizer) {
    this.name = name;
    this.sampleRateHz = config.audio.sample_rate;
    this.speakers = speakerNames(config);
    this.#config = config;
    this.#session = session;
    this.#phonemizer = phonemizer;
  }

  /**
   * Loads `onnxPath` and `${onnxPath}.json`. A missing, unreadable or invalid file, or an espeak language no
   * phonemizer here has, fails with GatewayError('model_not_ready') naming the file or language.
   */
  static async load(onnxPath: string, options: PiperVoiceOptions): Promise<PiperVoice> {
    try {
      await access(onnxPath);
    } catch (err) {
      throw new GatewayError('model_not_ready', `Piper voice model ${onnxPath} not found`, { cause: err });
    }
    const config = await readVoiceConfig(`${onnxPath}.json`, options.signal);
    options.signal?.throwIfAborted();
    let session: InferenceSession;
    try {
      session = await InferenceSession.create(onnxPath, {
        intraOpNumThreads: options.threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
      });
    } catch (err) {
      throw new GatewayError('model_not_ready', `Piper voice model ${onnxPath} could not be loaded`, { cause: err });
    }
    try {
      checkModelInputs(onnxPath, session, config);
      options.signal?.throwIfAborted();
      const phonemizer = await startClausePhonemizer(config.espeak.voice, options.phonemizerWorkers, options.signal);
      return new PiperVoice(basename(onnxPath, '.onnx'), config, session, phonemizer);
    } catch (err) {
      await session.release();
      if (err instanceof GatewayError && !err.message.includes(onnxPath)) {
        throw new GatewayError(err.code, `Piper voice ${onnxPath}: ${err.message}`, { cause: err.cause });
      }
      throw err;
    }
  }

  /** Phonemes dropped so far because the voice has no id for them (a voice/espeak mismatch when it grows). */
  get droppedPhonemes(): number {
    return this.#droppedPhonemes;
  }

  /** Which phonemizer serves this voice's language. */
  get phonemizerBackend(): ClausePhonemizer['backend'] {
    return this.#phonemizer.backend;
  }

  async *synthesize(text: string, options: SynthesisOptions): AsyncGenerator<Int16Array> {
    const { signal } = options;
    const speakerId = this.#speakerId(options.speakerId);
    const inference = this.#config.inference;
    const scales = Float32Array.of(
      options.noiseScale ?? inference.noise_scale,
      options.lengthScale ?? inference.length_scale,
      options.noiseW ?? inference.noise_w,
    );
    const sentences = splitSentences(text);
    // One sentence ahead: its worker phonemises while the model speaks the current one.
    let next = sentences[0] === undefined ? undefined : this.#phonemeIds(sentences[0], signal);
    for (let i = 0; next !== undefined && !signal.aborted; i++) {
      try {
        const ids = await next;
        const following = sentences[i + 1];
        next = following === undefined ? undefined : this.#phonemeIds(following, signal);
        if (ids === undefined || signal.aborted) continue;
        const audio = await this.#infer(ids, scales, speakerId);
        if (signal.aborted) return;
        yield audio;
      } catch (err) {
        if (signal.aborted && isAbortError(err)) return;
        throw err;
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#phonemizer.close(), this.#session.release()]);
  }

  /** The sentence's ids, or undefined when it has nothing to say (punctuation only). */
  #phonemeIds(sentence: Sentence, signal: AbortSignal): Promise<number[] | undefined> {
    const clauseTexts = sentence.map((clause) => clause.text);
    const ids = this.#phonemizer.phonemize(clauseTexts, signal).then((ipa) => {
      if (ipa.every((clauseIpa) => clauseIpa.trim().length === 0)) return undefined;
      const clauses = sentence.map((clause, i) => ({ ipa: ipa[i] ?? '', terminator: clause.terminator }));
      const mapped = phonemesToIds(sentencePhonemes(clauses, this.#config.phoneme_map), this.#config.phoneme_id_map);
      this.#droppedPhonemes += mapped.dropped;
      return mapped.ids;
    });
    // Awaited later, or never when synthesis stops early: don't let an abort surface as an unhandled rejection.
    ids.catch(() => {});
    return ids;
  }

  #speakerId(requested: number | undefined): number | undefined {
    if (this.speakers.length === 0) return undefined;
    const id = requested ?? 0;
    if (!Number.isInteger(id) || id < 0 || id >= this.speakers.length) {
      throw new GatewayError('tts_failed', `speaker id ${id} is outside this voice's ${this.speakers.length} speakers`);
    }
    return id;
  }

  async #infer(ids: number[], scales: Float32Array, speakerId: number | undefined): Promise<Int16Array> {
    const feeds: Record<string, Tensor> = {
      input: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
      input_lengths: new Tensor('int64', BigInt64Array.of(BigInt(ids.length)), [1]),
      scales: new Tensor('float32', scales, [3]),
    };
    if (speakerId !== undefined) feeds.sid = new Tensor('int64', BigInt64Array.of(BigInt(speakerId)), [1]);
    let output: Tensor | undefined;
    try {
      output = (await this.#session.run(feeds)).output;
    } catch (err) {
      throw new GatewayError('tts_failed', 'the Piper model failed on a sentence', { cause: err });
    }
    if (output === undefined || !(output.data instanceof Float32Array)) {
      throw new GatewayError('tts_failed', 'the Piper model gave no float32 "output"');
    }
    return floatToPcm16(output.data);
  }
}

/** Clips to [-1, 1] first: a wrapped int16 would be a loud click. */
function floatToPcm16(samples: Float32Array): Int16Array {
  const pcm = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i] ?? 0;
    pcm[i] = Number.isNaN(sample) ? 0 : Math.round(Math.max(-1, Math.min(1, sample)) * 32767);
  }
  return pcm;
}

function checkModelInputs(onnxPath: string, session: InferenceSession, config: VoiceConfig): void {
  const missing = ['input', 'input_lengths', 'scales'].filter((name) => !session.inputNames.includes(name));
  if (missing.length > 0) {
    throw new GatewayError('model_not_ready', `Piper voice model ${onnxPath} lacks the inputs ${missing.join(', ')}`);
  }
  if (!session.outputNames.includes('output')) {
    throw new GatewayError('model_not_ready', `Piper voice model ${onnxPath} lacks the output "output"`);
  }
  const hasSid = session.inputNames.includes('sid');
  if (hasSid !== config.num_speakers > 1) {
    throw new GatewayError(
      'model_not_ready',
      `Piper voice ${onnxPath}: num_speakers is ${config.num_speakers} but the model ${hasSid ? 'has' : 'lacks'} a "sid" input`,
    );
  }
}
