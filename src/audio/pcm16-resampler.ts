import { PCM16_SCALE } from './audio-format.ts';
import { StreamingResampler } from './streaming-resampler.ts';

/** Streaming sample-rate conversion of PCM16 mono: the resampler's filter state runs across calls. */
export class Pcm16Resampler {
  readonly #resampler: StreamingResampler;

  private constructor(resampler: StreamingResampler) {
    this.#resampler = resampler;
  }

  static async create(inputRateHz: number, outputRateHz: number): Promise<Pcm16Resampler> {
    return new Pcm16Resampler(await StreamingResampler.create(inputRateHz, outputRateHz));
  }

  get outputRateHz(): number {
    return this.#resampler.outputRateHz;
  }

  /** The output this input completes; the filter holds back a few ms until more input or `drain`. */
  process(samples: Int16Array): Int16Array {
    const scaled = new Float32Array(samples.length);
    for (let i = 0; i < samples.length; i++) scaled[i] = samples[i]! / PCM16_SCALE;
    return toPcm16(this.#resampler.process(scaled), PCM16_SCALE);
  }

  /** What the filter still holds, so the output so far matches the input so far. */
  drain(): Int16Array {
    return toPcm16(this.#resampler.drain(), PCM16_SCALE);
  }

  close(): void {
    this.#resampler.close();
  }
}

/** Float samples times `gain`, rounded and saturated to PCM16. */
export function toPcm16(samples: Float32Array, gain: number): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    // A band-limited filter can overshoot full scale on clipped input: saturate rather than wrap.
    out[i] = Math.max(-32_768, Math.min(32_767, Math.round(samples[i]! * gain)));
  }
  return out;
}
