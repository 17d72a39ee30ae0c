import type { SessionSink } from './events.ts';
import type { AudioConverter } from './output-audio.ts';

const MAX_FRAME_MS = 100;

interface SpokenPhrase {
  text: string;
  startMs: number;
  endMs: number;
}

/**
 * One response's speech on its way to the client: converted to the client's rate, cut into frames of at most
 * 100 ms, stopped dead by `close()`, and remembering which phrase ended where so the answer can be cut to what the
 * user heard.
 */
export class AudioOut {
  readonly #sink: SessionSink;
  readonly #turnId: string;
  readonly #converter: AudioConverter;
  readonly #samplesPerFrame: number;
  readonly #phrases: SpokenPhrase[] = [];
  #sentSamples = 0;
  #closed = false;

  constructor(sink: SessionSink, turnId: string, converter: AudioConverter) {
    this.#sink = sink;
    this.#turnId = turnId;
    this.#converter = converter;
    this.#samplesPerFrame = Math.floor((converter.sampleRateHz * MAX_FRAME_MS) / 1000);
  }

  get sampleRateHz(): number {
    return this.#converter.sampleRateHz;
  }

  get sentMs(): number {
    return (this.#sentSamples * 1000) / this.#converter.sampleRateHz;
  }

  /** Sends a phrase's audio as it is synthesised; returns false if it was cut off by close(). */
  async speak(text: string, chunks: AsyncIterable<Int16Array>, signal: AbortSignal): Promise<boolean> {
    const startMs = this.sentMs;
    for await (const chunk of chunks) {
      if (this.#closed || signal.aborted) return false;
      if (!(await this.#send(this.#converter.convert(chunk), signal))) return false;
    }
    if (this.#closed || signal.aborted) return false;
    this.#phrases.push({ text, startMs, endMs: this.sentMs });
    return true;
  }

  /** The answer is complete: sends what the converter held back. */
  async finish(signal: AbortSignal): Promise<void> {
    if (this.#closed || signal.aborted) return;
    const tail = this.#converter.finish(true);
    await this.#send(tail, signal);
    const last = this.#phrases.at(-1);
    if (last) last.endMs = this.sentMs;
  }

  /** No frame leaves after this. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Whatever the converter still holds belongs to this answer, not the next one.
    this.#converter.finish(false);
  }

  /** The answer as far as it was sent completely. */
  sentText(): string {
    return joinPhrases(this.#phrases.map((p) => p.text));
  }

  /**
   * The answer cut to `playedMs` of audio: whole phrases played, plus the words of a phrase in progress in
   * proportion to how much of it was played.
   */
  heardText(playedMs: number): string {
    const words: string[] = [];
    for (const phrase of this.#phrases) {
      if (playedMs >= phrase.endMs) {
        words.push(phrase.text);
        continue;
      }
      if (playedMs > phrase.startMs) {
        const fraction = (playedMs - phrase.startMs) / (phrase.endMs - phrase.startMs);
        // Chinese has no spaces between words: cut it by characters.
        const separator = /\s/.test(phrase.text) ? ' ' : '';
        const units = separator ? phrase.text.split(/\s+/) : [...phrase.text];
        const spoken = units.slice(0, Math.floor(units.length * fraction)).join(separator);
        if (spoken) words.push(spoken);
      }
      break;
    }
    return joinPhrases(words);
  }

  async #send(pcm: Int16Array, signal: AbortSignal): Promise<boolean> {
    for (let offset = 0; offset < pcm.length; offset += this.#samplesPerFrame) {
      await this.#sink.drained(signal);
      if (this.#closed || signal.aborted) return false;
      const frame = pcm.subarray(offset, offset + this.#samplesPerFrame);
      this.#sink.audio(this.#turnId, frame);
      this.#sentSamples += frame.length;
    }
    return true;
  }
}

const ENDS_WIDE = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]$/u;

function joinPhrases(phrases: string[]): string {
  return phrases.reduce((text, phrase) => (text === '' ? phrase : `${text}${ENDS_WIDE.test(text) ? '' : ' '}${phrase}`), '');
}
