import { Pcm16Resampler } from '../audio/pcm16-resampler.ts';

/** Turns a voice's audio into what the client plays: unchanged, or resampled to the rate it asked for. */
export interface AudioConverter {
  readonly sampleRateHz: number;
  convert(pcm: Int16Array): Int16Array;
  /** The end of a turn's audio: what the filter held back, to send (`keep`) or to forget before the next turn. */
  finish(keep: boolean): Int16Array;
}

const UNCHANGED = (sampleRateHz: number): AudioConverter => ({ sampleRateHz, convert: (pcm) => pcm, finish: () => new Int16Array(0) });

/**
 * A session's outgoing audio rate. Clients that play at a fixed rate (24 kHz, say) ask for it at start; every voice
 * is then resampled to it. One resampler per voice rate lives as long as the session: creating one costs about
 * 5 ms of synchronous WebAssembly set-up, too much for each turn.
 */
export class OutputAudio {
  readonly #requestedRateHz: number | undefined;
  readonly #resamplers = new Map<number, Promise<Pcm16Resampler>>();

  constructor(requestedRateHz: number | undefined) {
    this.#requestedRateHz = requestedRateHz;
  }

  /** The rate the client asked for; undefined: each voice's own. */
  get requestedRateHz(): number | undefined {
    return this.#requestedRateHz;
  }

  /** The converter for a voice speaking at `voiceRateHz`; at most one turn uses it at a time. */
  async converter(voiceRateHz: number): Promise<AudioConverter> {
    const outputRate = this.#requestedRateHz;
    if (outputRate === undefined || outputRate === voiceRateHz) return UNCHANGED(voiceRateHz);
    let resampler = this.#resamplers.get(voiceRateHz);
    if (!resampler) {
      resampler = Pcm16Resampler.create(voiceRateHz, outputRate);
      this.#resamplers.set(voiceRateHz, resampler);
    }
    const ready = await resampler;
    return {
      sampleRateHz: outputRate,
      convert: (pcm) => ready.process(pcm),
      finish: (keep) => {
        const tail = ready.drain();
        return keep ? tail : new Int16Array(0);
      },
    };
  }

  close(): void {
    for (const resampler of this.#resamplers.values()) void resampler.then((r) => r.close());
    this.#resamplers.clear();
  }
}
