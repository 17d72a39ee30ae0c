import type { Config } from '../config/schema.ts';
import type { EngineConfigSchema, LoadContext, LoadedEngine, ModelFiles, ModelRequest, TtsEngine, VoiceSpec } from '../contracts/engine.ts';
import { kokoro } from './kokoro/engine.ts';
import { livekitTurns } from './livekit-turns/engine.ts';
import { piper } from './piper/engine.ts';
import { silero } from './silero/engine.ts';
import { turnRules } from './turn-rules/engine.ts';
import { whisper } from './whisper/engine.ts';
import { xtts } from './xtts/engine.ts';

/**
 * Every engine the gateway can run, by kind. The config selects one per kind by its `engine` name; the first
 * listed is the default. A new engine is one folder exporting its descriptor plus one line here.
 */
export const engines = {
  tts: [piper, xtts, kokoro],
  asr: [whisper],
  vad: [silero],
  turnDetector: [turnRules, livekitTurns],
} as const;

export type EngineKind = keyof typeof engines;
type LoadedKind = Exclude<EngineKind, 'tts'>;

/** The engine a config section names (its schema accepts no other name). */
function chosen<K extends EngineKind>(kind: K, section: { engine: string }): (typeof engines)[K][number] {
  const list: readonly { readonly id: string }[] = engines[kind];
  const engine = list.find((e) => e.id === section.engine);
  if (engine === undefined) throw new Error(`no ${kind} engine "${section.engine}"`);
  return engine as (typeof engines)[K][number];
}

// The section's `engine` picked the descriptor, so the section is that descriptor's config: the one cast the
// discriminated union needs to hand each engine its own type.
type Loose<E> = E extends LoadedEngine<infer _S, infer T> ? LoadedEngine<EngineConfigSchema, T> : TtsEngine<EngineConfigSchema>;
const loose = <E>(engine: E) => engine as unknown as Loose<E>;

/** Every model file the configured engines need, keys prefixed by their section (`tts.voicesByLang.zh`). */
export function modelRequests(config: Config): ModelRequest[] {
  return (Object.keys(engines) as EngineKind[]).flatMap((kind) =>
    loose(chosen(kind, config[kind])).models(config[kind]).map((request) => ({ ...request, key: [kind, ...request.key] })),
  );
}

/** The configured speech engine's voices, the default first. */
export function configuredVoices(config: Config, files: ModelFiles): VoiceSpec[] {
  return loose(chosen('tts', config.tts)).voices(config.tts, files);
}

/** What the engines of a kind loaded as a whole give once loaded: a VadModel, a Transcriber, a TurnDetector. */
export type Loaded<K extends LoadedKind> = (typeof engines)[K][number] extends LoadedEngine<infer _S, infer T> ? T : never;

/** The configured engine of a kind loaded as a whole, bound to its section and files. */
export function configuredEngine<K extends LoadedKind>(kind: K, config: Config, files: ModelFiles): { detail: string; load(context: LoadContext): Promise<Loaded<K>> } {
  const engine = loose(chosen(kind, config[kind])) as LoadedEngine<EngineConfigSchema, Loaded<K>>;
  return {
    detail: engine.describe(config[kind], files),
    load: (context) => engine.load(config[kind], files, context),
  };
}
