import { z } from 'zod';
import { GatewayError } from '../../core/errors.ts';
import type { SynthesisOptions, Synthesizer } from '../../contracts/tts.ts';
import type { KokoroModel } from './kokoro-model.ts';
import type { VoiceLanguage } from './voice-languages.ts';
import { KOKORO_SAMPLE_RATE_HZ } from './vocab.ts';

/** Kokoro has no knobs beyond `speed`: any engine option is a mistake worth saying. */
const kokoroOptionsSchema = z.strictObject({});
const SPEED = { min: 0.25, max: 4 };

/** One Kokoro voice: a style pack over the shared model. Closing it releases its hold on the model. */
export class KokoroVoice implements Synthesizer {
  readonly name: string;
  readonly sampleRateHz = KOKORO_SAMPLE_RATE_HZ;
  readonly speakers: readonly string[] = [];
  readonly #model: KokoroModel;
  readonly #styles: Float32Array;
  readonly #language: VoiceLanguage;
  readonly #release: () => Promise<void>;

  constructor(name: string, language: VoiceLanguage, model: KokoroModel, release: () => Promise<void>) {
    const styles = model.styles.get(name);
    if (styles === undefined) throw new GatewayError('model_not_ready', `the Kokoro voice pack has no voice "${name}"`);
    this.name = name;
    this.#language = language;
    this.#model = model;
    this.#styles = styles;
    this.#release = release;
  }

  async *synthesize(text: string, options: SynthesisOptions): AsyncGenerator<Int16Array> {
    // A session that named a voice this gateway lacks has it passed on as a speaker (older clients' habit).
    if (options.speaker !== undefined && options.speaker !== this.name) {
      throw new GatewayError('tts_failed', `no Kokoro voice "${options.speaker}" is offered`);
    }
    const parsed = kokoroOptionsSchema.safeParse(options.engineOptions ?? {});
    if (!parsed.success) throw new GatewayError('tts_failed', `Kokoro takes no engine options (got ${Object.keys(options.engineOptions ?? {}).join(', ')})`);
    const speed = options.speed ?? 1;
    if (!(speed >= SPEED.min && speed <= SPEED.max)) throw new GatewayError('tts_failed', `Kokoro speed must be between ${SPEED.min} and ${SPEED.max}, not ${speed}`);
    yield* this.#model.speak(text, { voice: this.name, styles: this.#styles, language: this.#language, speed, signal: options.signal, batch: options.priority === 'batch' });
  }

  close(): Promise<void> {
    return this.#release();
  }
}
