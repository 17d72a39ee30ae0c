import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Mp3Encoder } from '@breezystack/lamejs';
import { Pcm16Resampler } from '../pcm16-resampler.ts';

/** The rates MPEG-1, 2 and 2.5 layer III can carry; a voice at another rate is resampled to 24 kHz. */
const MP3_RATES_HZ = new Set([8_000, 11_025, 12_000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000]);
const FALLBACK_RATE_HZ = 24_000;
/** Mono speech at the voices' 16-24 kHz is clear at 64 kbit/s (OpenAI's mp3 is about that size). */
const BITRATE_KBPS = 64;
/**
 * lamejs encodes about 30 times faster than real time on one core: a slice of two MP3 frames (about 100 ms of
 * audio at 22 kHz) takes about 3 ms, and the event loop runs between slices, so live sessions are not held up.
 */
const SLICE_SAMPLES = 2 * 1152;

/** PCM16 mono in, MP3 frames out, as the audio arrives; `end()` gives the last frames. */
export class StreamingMp3Encoder {
  readonly rateHz: number;
  readonly #lame: Mp3Encoder;
  readonly #resampler: Pcm16Resampler | undefined;

  private constructor(rateHz: number, resampler: Pcm16Resampler | undefined) {
    this.rateHz = rateHz;
    this.#resampler = resampler;
    this.#lame = new Mp3Encoder(1, rateHz, BITRATE_KBPS);
  }

  static async create(inputRateHz: number): Promise<StreamingMp3Encoder> {
    if (MP3_RATES_HZ.has(inputRateHz)) return new StreamingMp3Encoder(inputRateHz, undefined);
    return new StreamingMp3Encoder(FALLBACK_RATE_HZ, await Pcm16Resampler.create(inputRateHz, FALLBACK_RATE_HZ));
  }

  async encode(pcm: Int16Array): Promise<Buffer> {
    return this.#encodeSlices(this.#resampler ? this.#resampler.process(pcm) : pcm);
  }

  async end(): Promise<Buffer> {
    const rest = this.#resampler ? await this.#encodeSlices(this.#resampler.drain()) : Buffer.alloc(0);
    return Buffer.concat([rest, bytesOf(this.#lame.flush())]);
  }

  close(): void {
    this.#resampler?.close();
  }

  async #encodeSlices(pcm: Int16Array): Promise<Buffer> {
    const frames: Uint8Array[] = [];
    for (let start = 0; start < pcm.length; start += SLICE_SAMPLES) {
      if (start > 0) await yieldToEventLoop();
      frames.push(bytesOf(this.#lame.encodeBuffer(pcm.subarray(start, start + SLICE_SAMPLES))));
    }
    return Buffer.concat(frames);
  }
}

/** lamejs hands back its frames as an Int8Array, whatever its types say: the same bytes, viewed unsigned. */
function bytesOf(frames: ArrayBufferView): Buffer {
  return Buffer.from(frames.buffer, frames.byteOffset, frames.byteLength);
}
