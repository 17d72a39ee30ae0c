import type { ClientChannel } from '../transports/v1/channel.ts';

const MAX_FRAME_MS = 100;

interface SpokenPhrase {
  text: string;
  startMs: number;
  endMs: number;
}

/**
 * One response's speech on its way to the client: cut into frames of at most 100 ms, stopped dead by
 * `close()`, and remembering which phrase ended where so the answer can be cut to what the user heard.
 */
export class AudioOut {
  readonly #channel: ClientChannel;
  readonly #samplesPerFrame: number;
  readonly #sampleRateHz: number;
  readonly #phrases: SpokenPhrase[] = [];
  #sentSamples = 0;
  #closed = false;

  constructor(channel: ClientChannel, sampleRateHz: number) {
    this.#channel = channel;
    this.#sampleRateHz = sampleRateHz;
    this.#samplesPerFrame = Math.floor((sampleRateHz * MAX_FRAME_MS) / 1000);
  }

  get sentMs(): number {
    return (this.#sentSamples * 1000) / this.#sampleRateHz;
  }

  /** Sends a phrase's audio as it is synthesised; returns false if it was cut off by close(). */
  async speak(text: string, chunks: AsyncIterable<Int16Array>, signal: AbortSignal): Promise<boolean> {
    const startMs = this.sentMs;
    for await (const chunk of chunks) {
      for (let offset = 0; offset < chunk.length; offset += this.#samplesPerFrame) {
        await this.#channel.drained(signal);
        if (this.#closed || signal.aborted) return false;
        const frame = chunk.subarray(offset, offset + this.#samplesPerFrame);
        this.#channel.sendAudio(frame);
        this.#sentSamples += frame.length;
      }
    }
    if (this.#closed || signal.aborted) return false;
    this.#phrases.push({ text, startMs, endMs: this.sentMs });
    return true;
  }

  /** No frame leaves after this. */
  close(): void {
    this.#closed = true;
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
}

const ENDS_WIDE = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]$/u;

function joinPhrases(phrases: string[]): string {
  return phrases.reduce((text, phrase) => (text === '' ? phrase : `${text}${ENDS_WIDE.test(text) ? '' : ' '}${phrase}`), '');
}
