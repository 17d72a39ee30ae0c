/** Per-call choices a session may make; unset fields fall back to the voice's own config. */
export interface SynthesisOptions {
  signal: AbortSignal;
  /** The turn's language, for engines that speak several (XTTS); a Piper voice speaks its own. */
  language?: string | undefined;
  speakerId?: number | undefined;
  noiseScale?: number | undefined;
  lengthScale?: number | undefined;
  noiseW?: number | undefined;
}

/** Turns one phrase into speech. Loaded once, shared by every session. */
export interface Synthesizer {
  readonly name: string;
  readonly sampleRateHz: number;
  /** Speaker names of a multi-speaker voice (index = speaker id); empty for single-speaker voices. */
  readonly speakers: readonly string[];
  /**
   * Yields PCM16 mono chunks at `sampleRateHz` as they are ready. Stops promptly, without throwing, once
   * `signal` aborts.
   */
  synthesize(text: string, options: SynthesisOptions): AsyncIterable<Int16Array>;
  close(): Promise<void>;
}
