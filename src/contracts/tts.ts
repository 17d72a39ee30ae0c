/** Per-call choices a session may make; unset fields fall back to the voice's own config. */
export interface SynthesisOptions {
  signal: AbortSignal;
  /** The turn's language, for engines that speak several (XTTS); a Piper voice speaks its own. */
  language?: string | undefined;
  /** One of a multi-speaker voice's `speakers`, by name or index; unset: the voice's default speaker. */
  speaker?: string | number | undefined;
  /** Speaking rate relative to the voice's own: 2 is twice as fast. */
  speed?: number | undefined;
  /** The engine's own knobs (Piper: `length_scale`, `noise_scale`, `noise_w`); the engine checks them. */
  engineOptions?: Readonly<Record<string, unknown>> | undefined;
  /** `batch` (an API request) yields to live sessions where the engine queues work; unset: live. */
  priority?: 'live' | 'batch' | undefined;
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

/** A speaker named, or numbered, among a voice's speakers; undefined if it has none such. */
export function speakerIndex(speakers: readonly string[], speaker: string | number): number | undefined {
  const index = typeof speaker === 'number' ? speaker : speakers.indexOf(speaker);
  return Number.isInteger(index) && index >= 0 && index < speakers.length ? index : undefined;
}
