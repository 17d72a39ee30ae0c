import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Synthesizer } from '../contracts/tts.ts';
import type { Voice, Voices } from '../contracts/voices.ts';
import { Slot } from './slot.ts';

export interface VoiceEntry extends Voice {
  name: string;
  /** Where it loads from: a Piper `.onnx`, or an XTTS server's URL. */
  source: string;
  sampleRateHz: number;
  slot: Slot<Synthesizer>;
}

/** The configured voices: the default, and one per language where `tts.voicesByLang` names one. */
export class VoiceRegistry implements Voices {
  readonly #byName = new Map<string, VoiceEntry>();
  readonly #byLang = new Map<string, VoiceEntry>();
  readonly #default: VoiceEntry;

  private constructor(defaultVoice: VoiceEntry) {
    this.#default = defaultVoice;
    this.#byName.set(defaultVoice.name, defaultVoice);
  }

  /**
   * Piper voices. `paths` maps each configured voice (a catalog name or a path) to its `.onnx`; the sample rate
   * is read from its `.onnx.json` now, so sessions can be told it before the model has loaded.
   */
  static piper(defaultVoice: string, voicesByLang: Record<string, string>, paths: Record<string, string>): VoiceRegistry {
    const entry = (configured: string): VoiceEntry => {
      const path = paths[configured];
      if (!path) throw new Error(`no file for voice ${configured}`);
      // Clients and logs see a voice's name, never a server path.
      return newEntry(basename(configured, '.onnx'), path, readSampleRate(path));
    };
    const registry = new VoiceRegistry(entry(defaultVoice));
    for (const [lang, configured] of Object.entries(voicesByLang)) {
      const name = basename(configured, '.onnx');
      const voice = registry.#byName.get(name) ?? entry(configured);
      registry.#byName.set(name, voice);
      registry.#byLang.set(lang.toLowerCase(), voice);
    }
    return registry;
  }

  /** One voice for every language (an XTTS server speaks them all). */
  static single(name: string, source: string, sampleRateHz: number): VoiceRegistry {
    return new VoiceRegistry(newEntry(name, source, sampleRateHz));
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

function newEntry(name: string, source: string, sampleRateHz: number): VoiceEntry {
  const slot = new Slot<Synthesizer>(`voice ${name}`);
  return {
    name,
    source,
    sampleRateHz,
    slot,
    get speakers() {
      return slot.value?.speakers;
    },
    synthesizer: () => slot.get(),
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
