import type { Synthesizer } from './tts.ts';

/** A voice as a session sees it: its name and rate are known before it loads, its speech once it has. */
export interface Voice {
  readonly name: string;
  readonly sampleRateHz: number;
  /** Its speakers once loaded (empty for a single-speaker voice); undefined while it loads. */
  readonly speakers: readonly string[] | undefined;
  /** The loaded synthesizer, or GatewayError('model_not_ready') naming what is missing and why. */
  synthesizer(): Synthesizer;
}

/** Every voice the gateway offers, over all engines. */
export interface Voices {
  has(name: string): boolean;
  /** A voice asked for by name, else the one for the language, else the default. */
  select(lang: string, name?: string): Voice;
}
