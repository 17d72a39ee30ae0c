/**
 * The microphone side: turns the input's first channel into PCM16 frames of `frameMs` and posts each (its buffer
 * transferred) with the frame's peak level, for a meter.
 */
class CaptureProcessor extends AudioWorkletProcessor {
  #frame;
  #filled = 0;

  /** @param {{ processorOptions?: unknown }} options */
  constructor(options) {
    super();
    const { frameMs = 20 } = /** @type {{ frameMs?: number }} */ (options.processorOptions ?? {});
    this.#frame = new Int16Array(Math.round((sampleRate * frameMs) / 1000));
  }

  /** @param {Float32Array[][]} inputs */
  process(inputs) {
    const channel = inputs[0]?.[0];
    if (!channel) return true;
    for (let i = 0; i < channel.length; i++) {
      const s = Math.max(-1, Math.min(1, channel[i] ?? 0));
      this.#frame[this.#filled++] = s < 0 ? s * 0x8000 : s * 0x7fff;
      if (this.#filled === this.#frame.length) this.#post();
    }
    return true;
  }

  #post() {
    let peak = 0;
    for (const s of this.#frame) peak = Math.max(peak, Math.abs(s));
    const pcm = this.#frame;
    this.#frame = new Int16Array(pcm.length);
    this.#filled = 0;
    this.port.postMessage({ pcm, peak: peak / 0x8000 }, [pcm.buffer]);
  }
}

registerProcessor('s2s-capture', CaptureProcessor);
