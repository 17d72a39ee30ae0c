/** 8 ms at 16 kHz. */
const WINDOW_SAMPLES = 128;
/** About -60 dBFS (RMS in PCM16 units). */
const ABSOLUTE_QUIET_RMS = 33;
/** Quiet also means 40 dB below the utterance's loudest window. */
const RELATIVE_QUIET = 0.01;

/**
 * Where the sound of an utterance really stopped. Silero's probability stays high for 50-100 ms after the last
 * sound (its recurrent state carries the speech on), so counting the silence window from Silero's release alone
 * ends every turn that much later. This tracks, in 8 ms windows, the last one that was not quiet (and in it the
 * last sample that was not), so the silence can be counted from there. It only ever moves the end earlier, by at most `maxLookbackSamples`, and only where the
 * audio drops clearly below both the utterance's own level and an absolute floor: on noisy audio (room tone above
 * the floor) it changes nothing and Silero's release stands.
 */
export class SpeechTail {
  readonly #maxLookbackSamples: number;
  #peakRms = 0;
  #lastSoundEnd = 0;

  constructor(maxLookbackSamples: number) {
    this.#maxLookbackSamples = maxLookbackSamples;
  }

  /** Feeds one frame of the utterance, starting at stream sample `frameStart`. */
  observe(frame: Int16Array, frameStart: number): void {
    const size = WINDOW_SAMPLES;
    const rms: number[] = [];
    for (let offset = 0; offset < frame.length; offset += size) {
      const window = frame.subarray(offset, offset + size);
      let energy = 0;
      for (const sample of window) energy += sample * sample;
      rms.push(Math.sqrt(energy / window.length));
    }
    this.#peakRms = Math.max(this.#peakRms, ...rms);
    const quiet = Math.max(ABSOLUTE_QUIET_RMS, this.#peakRms * RELATIVE_QUIET);
    const lastLoud = rms.findLastIndex((level) => level >= quiet);
    if (lastLoud < 0) return;
    // To the sample, inside that window: a window's worth of rounding is often one more client frame to wait.
    const windowStart = lastLoud * size;
    let end = Math.min(windowStart + size, frame.length);
    while (end > windowStart + 1 && Math.abs(frame[end - 1]!) < quiet) end -= 1;
    this.#lastSoundEnd = frameStart + end;
  }

  /** Where the silence that Silero reports from `releaseSample` on actually began. */
  silenceStart(releaseSample: number): number {
    return Math.min(releaseSample, Math.max(this.#lastSoundEnd, releaseSample - this.#maxLookbackSamples));
  }

  reset(): void {
    this.#peakRms = 0;
    this.#lastSoundEnd = 0;
  }
}
