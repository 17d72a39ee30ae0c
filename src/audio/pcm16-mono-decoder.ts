const BYTES_PER_SAMPLE = 2;

/**
 * Turns binary messages of interleaved PCM16 little-endian into mono samples (channels averaged).
 * Messages may end anywhere, even inside a sample or between a frame's channels: the incomplete frame is kept
 * (at most one frame minus a byte) and completed by the next message.
 */
export class Pcm16MonoDecoder {
  readonly #channels: number;
  readonly #frameBytes: number;
  #carry = new Uint8Array(0);

  constructor(channels: number) {
    this.#channels = channels;
    this.#frameBytes = channels * BYTES_PER_SAMPLE;
  }

  /** Mono samples in PCM16 units (a stereo average may fall on a half). */
  push(bytes: Uint8Array): Float32Array {
    const input = this.#carry.length === 0 ? bytes : concat(this.#carry, bytes);
    const frames = Math.floor(input.length / this.#frameBytes);
    const usedBytes = frames * this.#frameBytes;
    // Copied: the caller may reuse its buffer for the next message.
    this.#carry = input.slice(usedBytes);

    const view = new DataView(input.buffer, input.byteOffset, usedBytes);
    const mono = new Float32Array(frames);
    if (this.#channels === 1) {
      for (let i = 0; i < frames; i++) mono[i] = view.getInt16(i * BYTES_PER_SAMPLE, true);
    } else {
      for (let i = 0; i < frames; i++) {
        let sum = 0;
        for (let c = 0; c < this.#channels; c++) sum += view.getInt16(i * this.#frameBytes + c * BYTES_PER_SAMPLE, true);
        mono[i] = sum / this.#channels;
      }
    }
    return mono;
  }

  /** Bytes of an incomplete frame waiting for the next message. */
  get pendingBytes(): number {
    return this.#carry.length;
  }

  reset(): void {
    this.#carry = new Uint8Array(0);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}
