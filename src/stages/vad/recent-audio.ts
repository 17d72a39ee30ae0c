/**
 * The last `capacity` samples of a stream, for the padding kept before a speech onset.
 * Bounded: pushing past the capacity drops the oldest samples.
 */
export class RecentAudio {
  readonly #buffer: Int16Array;
  /** Samples ever pushed; the buffer holds the last min(total, capacity) of them. */
  #total = 0;

  constructor(capacity: number) {
    this.#buffer = new Int16Array(capacity);
  }

  push(samples: Int16Array): void {
    const capacity = this.#buffer.length;
    if (capacity === 0) return;
    const kept = samples.length > capacity ? samples.subarray(samples.length - capacity) : samples;
    this.#total += samples.length - kept.length;
    for (const sample of kept) {
      this.#buffer[this.#total % capacity] = sample;
      this.#total += 1;
    }
  }

  /** The last `count` samples (fewer if fewer are held), oldest first. */
  last(count: number): Int16Array {
    const n = Math.min(count, this.#total, this.#buffer.length);
    const out = new Int16Array(n);
    const first = this.#total - n;
    for (let i = 0; i < n; i++) out[i] = this.#buffer[(first + i) % this.#buffer.length]!;
    return out;
  }

  clear(): void {
    this.#total = 0;
  }
}
