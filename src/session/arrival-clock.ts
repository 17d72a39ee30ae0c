const SAMPLE_RATE_HZ = 16_000;
// About 40 s of 20 ms frames: far more than the VAD's silence window ever looks back.
const MAX_ENTRIES = 2_048;

/**
 * When each stretch of the 16 kHz stream arrived, so a position the VAD names ("speech ended at 3.2 s of audio")
 * can be turned into the moment it reached us: the true start of voice-to-voice latency.
 */
export class ArrivalClock {
  readonly #endsMs: number[] = [];
  readonly #arrivals: number[] = [];
  #samples = 0;

  received(samples: number, at: number = performance.now()): void {
    if (samples === 0) return;
    this.#samples += samples;
    this.#endsMs.push((this.#samples * 1000) / SAMPLE_RATE_HZ);
    this.#arrivals.push(at);
    if (this.#endsMs.length > MAX_ENTRIES) {
      this.#endsMs.shift();
      this.#arrivals.shift();
    }
  }

  /** performance.now() at which the audio at `positionMs` arrived (the oldest known, if it is older than that). */
  arrivalOf(positionMs: number): number {
    const index = this.#endsMs.findIndex((end) => end >= positionMs);
    if (index >= 0) return this.#arrivals[index] as number;
    return this.#arrivals.at(-1) ?? performance.now();
  }
}
