import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Synthesizer } from './tts.ts';

/** A model an engine needs on disk: a catalog name (fetched into `models.dir` when missing) or a path. */
export interface ModelRequest {
  /** Where the config holds it, inside the engine's section (`['voicesByLang', 'zh']`), for messages. */
  key: readonly string[];
  /** As written in the config: the key into `ModelFiles`. */
  value: string;
  /** Which catalog entries may answer it. */
  kind: 'asr' | 'tts' | 'turns';
  /** Suffixes of files that must sit beside a path given by hand (a Piper voice's `.json`). */
  companions?: readonly string[];
}

/** Each requested model, as written in the config -> the file its engine loads (resolved and fetched before start). */
export type ModelFiles = Readonly<Record<string, string>>;

/** What a load is handed besides its config: when to give up, and where to say what it found. */
export interface LoadContext {
  signal: AbortSignal;
  log: Logger;
}

/** The config section of one engine: a strict object whose `engine` literal selects it in the section's union. */
export type EngineConfigSchema<Id extends string = string> = z.ZodObject<{ engine: z.ZodLiteral<Id> } & z.ZodRawShape, z.core.$strict>;

interface EngineBase<S extends EngineConfigSchema> {
  readonly id: z.output<S>['engine'];
  readonly config: S;
  /** The model files this configuration needs, for the first-run fetch. */
  models(config: z.output<S>): ModelRequest[];
}

/** An engine loaded once as a whole (speech recognition, voice activity detection). */
export interface LoadedEngine<S extends EngineConfigSchema, T> extends EngineBase<S> {
  /** What `/ready` shows while it loads. */
  describe(config: z.output<S>, files: ModelFiles): string;
  load(config: z.output<S>, files: ModelFiles, context: LoadContext): Promise<T>;
}

/** A voice an engine offers: named, with its rate, before it loads. */
export interface VoiceSpec {
  name: string;
  sampleRateHz: number;
  /** Session languages (primary subtags, lower case) that get this voice when the client names none. */
  languages: readonly string[];
  /** Where it loads from (a file, a server), for `/ready`. */
  source: string;
  load(context: LoadContext): Promise<Synthesizer>;
}

/** A speech engine: the voices a configuration offers, the first being the default for unlisted languages. */
export interface TtsEngine<S extends EngineConfigSchema> extends EngineBase<S> {
  voices(config: z.output<S>, files: ModelFiles): VoiceSpec[];
}
