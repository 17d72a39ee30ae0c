import createEspeak, { type EspeakModule, type EspeakWorker } from '@echogarden/espeak-ng-emscripten';

/**
 * espeak-ng compiled to WASM with every language's data (`@echogarden/espeak-ng-emscripten`): Mandarin and the
 * rest need nothing beyond `npm ci`. It runs synchronously on the calling thread, so the gateway calls it from
 * worker threads only.
 */
export class EspeakIpa {
  readonly #module: EspeakModule;
  readonly #worker: EspeakWorker;
  readonly #decoder = new TextDecoder();
  #voice: string | undefined;

  private constructor(module: EspeakModule) {
    this.#module = module;
    this.#worker = new module.eSpeakNGWorker();
  }

  static async start(): Promise<EspeakIpa> {
    return new EspeakIpa(await createEspeak());
  }

  /**
   * One clause's IPA without punctuation, as piper-phonemize takes it from espeak; parts espeak splits a long
   * clause into are joined by a space. Throws for a voice espeak does not have.
   */
  clause(text: string, voice: string): string {
    return this.phonemes(text, voice).split(' | ').join(' ').replaceAll('_', '');
  }

  /**
   * espeak's IPA as it gives it: words split by spaces, phonemes inside a word by `_` (so a multi-letter phoneme
   * such as `aɪ` or `dʒ` stays one unit), parts of a long clause by ` | `. Throws for a voice espeak does not have.
   */
  phonemes(text: string, voice: string): string {
    if (voice !== this.#voice) {
      if (this.#worker.set_voice(voice) !== 0) throw new Error(`espeak-ng has no voice "${voice}"`);
      this.#voice = voice;
    }
    const { ptr } = this.#worker.convert_to_phonemes(text, true);
    const heap = this.#module.HEAPU8;
    const end = heap.indexOf(0, ptr);
    return this.#decoder.decode(heap.subarray(ptr, end));
  }
}
