import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Synthesizer } from '../stages/tts/synthesizer.ts';
import { Slot } from './slot.ts';

export interface VoiceEntry {
  name: string;
  path: string;
  sampleRateHz: number;
  slot: Slot<Synthesizer>;
}

/** The configured voices: the default, and one per language where `tts.voicesByLang` names one. */
export class VoiceRegistry {
  readonly #byName = new Map<string, VoiceEntry>();
  readonly #byLang = new Map<string, VoiceEntry>();
  readonly #default: VoiceEntry;

  /**
   * `paths` maps each configured voice (a catalog name or a path) to its `.onnx`; the sample rate is read from
   * its `.onnx.json` now, so sessions can be told it before the model has loaded.
   */
  constructor(defaultVoice: string, voicesByLang: Record<string, string>, paths: Record<string, string>) {
    const entry = (configured: string): VoiceEntry => {
      // Clients and logs see a voice's name, never a server path.
      const name = basename(configured, '.onnx');
      const known = this.#byName.get(name);
      if (known) return known;
      const path = paths[configured];
      if (!path) throw new Error(`no file for voice ${configured}`);
      const created = { name, path, sampleRateHz: readSampleRate(path), slot: new Slot<Synthesizer>(`voice ${name}`) };
      this.#byName.set(name, created);
      return created;
    };
    this.#default = entry(defaultVoice);
    for (const [lang, name] of Object.entries(voicesByLang)) this.#byLang.set(lang.toLowerCase(), entry(name));
  }

  get all(): VoiceEntry[] {
    return [...this.#byName.values()];
  }

  /** A voice asked for by name, else the session language's voice, else the default. */
  select(lang: string, requested?: string): VoiceEntry {
    if (requested) {
      const named = this.#byName.get(requested);
      if (named) return named;
    }
    return this.#byLang.get(lang.toLowerCase()) ?? this.#byLang.get(lang.split('-')[0]?.toLowerCase() ?? '') ?? this.#default;
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }
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
