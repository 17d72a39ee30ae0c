import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import type { ModelFiles, TtsEngine, VoiceSpec } from '../../contracts/engine.ts';
import { int } from '../../config/leaves.ts';
import { PiperVoice } from './piper-voice.ts';

const config = z.strictObject({
  engine: z.literal('piper'),
  /** A catalog name or a path to a Piper `voice.onnx` (its `.onnx.json` beside it); speaks unlisted languages. */
  voice: z.string().min(1).default('en_US-lessac-medium'),
  /**
   * The voice for each session language. Out of the box Chinese gets the catalog's Mandarin voice (fetched at
   * start-up like the default): an English voice reading Hanzi says nothing a listener understands.
   */
  voicesByLang: z.record(z.string(), z.string().min(1)).default({ zh: 'zh_CN-huayan-medium' }),
  threads: int(1, 256).default(1),
  // One worker queues phrases behind each other once a few sessions speak at once (measured at 50 sessions).
  phonemizerWorkers: int(1, 32).default(2),
  /** Worker threads running the voice model (onnxruntime's run is synchronous): each holds a copy of the model. */
  inferenceWorkers: int(1, 32).default(1),
});

type PiperConfig = z.output<typeof config>;

/** Piper voices in-process: one model per voice, each loaded once and shared by every session. */
export const piper: TtsEngine<typeof config> = {
  id: 'piper',
  config,
  models: (c) => [
    { key: ['voice'], value: c.voice, kind: 'tts', companions: ['.json'] },
    ...Object.entries(c.voicesByLang).map(([lang, value]) => ({ key: ['voicesByLang', lang], value, kind: 'tts' as const, companions: ['.json'] })),
  ],
  voices: (c, files) => {
    const langsByVoice = new Map<string, string[]>([[c.voice, []]]);
    for (const [lang, voice] of Object.entries(c.voicesByLang)) langsByVoice.set(voice, [...(langsByVoice.get(voice) ?? []), lang.toLowerCase()]);
    return [...langsByVoice].map(([configured, languages]) => voiceSpec(c, configured, languages, files));
  },
};

function voiceSpec(c: PiperConfig, configured: string, languages: string[], files: ModelFiles): VoiceSpec {
  const path = files[configured];
  if (path === undefined) throw new Error(`no file for voice ${configured}`);
  const { threads, phonemizerWorkers, inferenceWorkers } = c;
  return {
    // Clients and logs see a voice's name, never a server path.
    name: basename(configured, '.onnx'),
    // Read now, so sessions can be told the rate before the model has loaded.
    sampleRateHz: readSampleRate(path),
    languages,
    source: path,
    load: ({ signal, log }) => PiperVoice.load(path, { threads, phonemizerWorkers, inferenceWorkers, signal, log }),
  };
}

function readSampleRate(onnxPath: string): number {
  const configPath = `${onnxPath}.json`;
  let parsed: { audio?: { sample_rate?: unknown } };
  try {
    parsed = JSON.parse(readFileSync(configPath, 'utf8')) as typeof parsed;
  } catch (err) {
    throw new Error(`cannot read the voice config ${configPath}: ${(err as Error).message}`, { cause: err });
  }
  const rate = parsed.audio?.sample_rate;
  if (typeof rate !== 'number' || !Number.isInteger(rate) || rate <= 0) throw new Error(`${configPath}: audio.sample_rate must be a positive integer`);
  return rate;
}
