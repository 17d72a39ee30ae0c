/**
 * Voice activity detection, as the endpointer uses it: a model loaded once, a stream per session carrying that
 * session's state. A stream takes fixed frames of the pipeline's 16 kHz mono audio scaled to -1..1.
 */
export interface VadStream {
  /** Samples per frame `process` takes (Silero v5: 512, 32 ms). */
  readonly frameSamples: number;
  readonly sampleRateHz: number;
  /**
   * Speech probability (0..1) of one frame. Calls must not overlap: each frame needs the state the previous one
   * left. Rejects with an AbortError once the model is closed.
   */
  process(frame: Float32Array): Promise<number>;
  /** Forgets the stream's state, as if it were new. */
  reset(): void;
}

export interface VadModel {
  createStream(): VadStream;
  close(): Promise<void>;
}
