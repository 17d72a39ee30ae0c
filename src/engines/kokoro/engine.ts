import { z } from 'zod';
import type { LoadContext, ModelFiles, TtsEngine, VoiceSpec } from '../../contracts/engine.ts';
import { int, list } from '../../config/leaves.ts';
import { GatewayError } from '../../core/errors.ts';
import { KokoroModel } from './kokoro-model.ts';
import { KokoroVoice } from './kokoro-voice.ts';
import { SharedLoad } from './shared-load.ts';
import { type VoiceLanguage, voiceLanguage } from './voice-languages.ts';
import { blendStyles, listVoicePack, readVoicePack } from './voice-pack.ts';
import { KOKORO_SAMPLE_RATE_HZ } from './vocab.ts';

const config = z.strictObject({
  engine: z.literal('kokoro'),
  /** A catalog name or a path to a Kokoro-82M ONNX export (onnx-community's or kokoro-onnx's). */
  model: z.string().min(1).default('kokoro-v1.0'),
  /** A catalog name or a path to a voice pack: kokoro-onnx's `voices-v1.0.bin` (a NumPy .npz). */
  voicePack: z.string().min(1).default('kokoro-v1.0-voices'),
  /** The default voice: for sessions that name none and whose language no other voice speaks. */
  voice: z.string().min(1).default('af_heart'),
  /** The voices offered (the default always is); absent: every voice in the pack this engine can phonemise, plus the blends. */
  voices: list.optional(),
  /** The voice for a session language; unlisted languages get the first offered voice that speaks them. */
  voicesByLang: z.record(z.string(), z.string().min(1)).default({}),
  /**
   * Voices mixed from others (`a+b`: the mean of their styles). The defaults give seed 004's generic names a voice:
   * `af` is Kokoro v0.19's default mix of Bella and Sarah; `am`, `bf`, `bm` mix two voices of their kind likewise.
   */
  blends: z
    .record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.string().regex(/^[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)+$/))
    .default({ af: 'af_bella+af_sarah', am: 'am_adam+am_michael', bf: 'bf_emma+bf_isabella', bm: 'bm_george+bm_lewis' }),
  threads: int(1, 256).default(1),
  phonemizerWorkers: int(1, 32).default(2),
  /** Worker threads running the model (onnxruntime's run is synchronous): each holds a copy of it. */
  inferenceWorkers: int(1, 32).default(1),
});

type KokoroConfig = z.output<typeof config>;

interface OfferedVoice {
  name: string;
  language: VoiceLanguage;
  /** The pack voices whose styles it speaks with: itself, or a blend's parts. */
  parts: readonly string[];
}

/** Kokoro-82M in-process: one model shared by every voice, each voice a style pack. */
export const kokoro: TtsEngine<typeof config> = {
  id: 'kokoro',
  config,
  models: (c) => [
    { key: ['model'], value: c.model, kind: 'tts' },
    { key: ['voicePack'], value: c.voicePack, kind: 'tts' },
  ],
  voices: (c, files) => {
    const modelPath = fileOf(files, c.model);
    const packPath = fileOf(files, c.voicePack);
    const offered = offeredVoices(c, listVoicePack(packPath));
    const model = new SharedLoad(async ({ signal, log }: LoadContext) => {
      const packVoices = [...new Set(offered.flatMap((voice) => voice.parts))];
      const packStyles = readVoicePack(packPath, packVoices);
      const styles = new Map(offered.map((voice) => [voice.name, blendStyles(voice.parts.map((part) => packStyles.get(part) as Float32Array))]));
      const espeakVoices = [...new Set(offered.map((voice) => voice.language.espeakVoice))];
      return KokoroModel.load(modelPath, styles, { ...c, espeakVoices, signal, log });
    });
    const languages = languagesByVoice(c, offered);
    return offered.map(
      (voice): VoiceSpec => ({
        name: voice.name,
        sampleRateHz: KOKORO_SAMPLE_RATE_HZ,
        languages: languages.get(voice.name) ?? [],
        source: modelPath,
        load: async (context) => {
          const { value, release } = await model.acquire(context);
          return new KokoroVoice(voice.name, voice.language, value, release);
        },
      }),
    );
  },
};

function fileOf(files: ModelFiles, configured: string): string {
  const path = files[configured];
  if (path === undefined) throw new Error(`no file for Kokoro model ${configured}`);
  return path;
}

/** The default voice first, then the pack's (or the listed) voices, then the blends; each checked to be speakable. */
function offeredVoices(c: KokoroConfig, packVoices: readonly string[]): OfferedVoice[] {
  const inPack = new Set(packVoices);
  const blendNames = Object.keys(c.blends);
  const listed = c.voices ?? [...packVoices.filter((name) => voiceLanguage(name) !== undefined), ...blendNames];
  const names = [...new Set([c.voice, ...listed, ...Object.values(c.voicesByLang)])];
  return names.map((name) => {
    const key = name === c.voice ? 'tts.voice' : c.voices?.includes(name) ? 'tts.voices' : 'tts.voicesByLang';
    const language = voiceLanguage(name);
    if (language === undefined) {
      throw new GatewayError('model_not_ready', `${key}: Kokoro voice "${name}" is not offered: only voices of American or British English, Spanish, French, Hindi, Italian or Brazilian Portuguese (a b e f h i p) are phonemised here`);
    }
    const blend = c.blends[name];
    const parts = blend === undefined ? [name] : blend.split('+');
    for (const part of parts) {
      if (!inPack.has(part)) {
        const where = blend === undefined ? key : `tts.blends.${name}`;
        const hint = blend === undefined ? '' : '; set tts.blends to {} or list the voices to offer in tts.voices';
        throw new GatewayError('model_not_ready', `${where}: the Kokoro voice pack has no voice "${part}" (it has ${packVoices.join(', ')})${hint}`);
      }
    }
    return { name, language, parts };
  });
}

/** The session languages each voice speaks: `voicesByLang`, else the default voice's own, else the first offered. */
function languagesByVoice(c: KokoroConfig, offered: readonly OfferedVoice[]): Map<string, string[]> {
  const voiceOf = new Map<string, string>();
  for (const [lang, name] of Object.entries(c.voicesByLang)) voiceOf.set(lang.toLowerCase(), name);
  for (const voice of offered) if (!voiceOf.has(voice.language.language)) voiceOf.set(voice.language.language, voice.name);
  const languages = new Map<string, string[]>();
  for (const [lang, name] of voiceOf) languages.set(name, [...(languages.get(name) ?? []), lang]);
  return languages;
}
