import libsamplerate from '@alexanderolsen/libsamplerate-js';
import type { ConverterTypeValue } from '@alexanderolsen/libsamplerate-js/dist/converter-type.d.ts';

const { create, ConverterType } = libsamplerate;

/**
 * SRC_SINC_FASTEST: at 48 -> 16 kHz flat to 6 kHz (-4 dB at 6.5 kHz, -14 dB at 7 kHz) and everything above 8 kHz
 * more than 100 dB down, so nothing folds back. SRC_SINC_MEDIUM_QUALITY stays flat to 7 kHz but costs 2.5-3 times
 * as much on the event loop (bench/resample.bench.ts), for a band speech recognition barely uses.
 */
const DEFAULT_CONVERTER: ConverterTypeValue = ConverterType.SRC_SINC_FASTEST;

/** Zeros fed per step while draining: longer than the sinc filter's half-length at any supported ratio. */
const DRAIN_BLOCK_FRAMES = 1024;
const MAX_DRAIN_BLOCKS = 64;

/**
 * Mono sample-rate conversion over a stream of chunks, with libsamplerate (WebAssembly).
 * Uses its `full` API (src_process with persistent filter state), so the output does not depend on how the input
 * was cut; the `simple` API treats every call as a whole signal and clicks at chunk boundaries.
 * Each instance owns one WebAssembly module: about 2 MB resident (and 26 MB of reserved, untouched memory).
 */
export class StreamingResampler {
  readonly inputRateHz: number;
  readonly outputRateHz: number;
  readonly #src: Awaited<ReturnType<typeof create>>;
  /** Input frames given to libsamplerate, including drain padding. */
  #framesIn = 0;
  /** Output frames handed to the caller. */
  #framesOut = 0;
  /** Output produced from drain padding beyond the real input's end, returned before the next chunk's output. */
  #surplus = new Float32Array(0);

  private constructor(src: Awaited<ReturnType<typeof create>>, inputRateHz: number, outputRateHz: number) {
    this.#src = src;
    this.inputRateHz = inputRateHz;
    this.outputRateHz = outputRateHz;
  }

  static async create(inputRateHz: number, outputRateHz: number, converter = DEFAULT_CONVERTER): Promise<StreamingResampler> {
    const src = await create(1, inputRateHz, outputRateHz, { converterType: converter });
    return new StreamingResampler(src, inputRateHz, outputRateHz);
  }

  /** Samples scaled to -1..1 in, resampled samples out. The filter holds back a few ms until more input (or drain). */
  process(input: Float32Array): Float32Array {
    this.#framesIn += input.length;
    const output = input.length === 0 ? new Float32Array(0) : this.#src.full(input);
    const all = this.#surplus.length === 0 ? output : concat([this.#surplus, output]);
    this.#surplus = new Float32Array(0);
    this.#framesOut += all.length;
    return all;
  }

  /**
   * Returns what the filter still holds, so the output so far is as long as the input so far (end of an utterance,
   * push-to-talk). It pads with zeros as libsamplerate's own end-of-input does; the stream can go on afterwards as
   * if the client had sent that padding as silence, which the next chunk's output starts with.
   */
  drain(): Float32Array {
    const target = Math.round((this.#framesIn * this.outputRateHz) / this.inputRateHz);
    const produced: Float32Array[] = [this.#surplus];
    let available = this.#surplus.length;
    const zeros = new Float32Array(DRAIN_BLOCK_FRAMES);
    for (let i = 0; i < MAX_DRAIN_BLOCKS && this.#framesOut + available < target; i++) {
      const output = this.#src.full(zeros);
      this.#framesIn += zeros.length;
      produced.push(output);
      available += output.length;
    }
    const all = concat(produced);
    const take = Math.min(all.length, Math.max(0, target - this.#framesOut));
    this.#surplus = all.slice(take);
    this.#framesOut += take;
    return all.subarray(0, take);
  }

  close(): void {
    if (!this.#src.isDestroyed) this.#src.destroy();
  }
}

function concat(parts: Float32Array[]): Float32Array {
  const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}
