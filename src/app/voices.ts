import type { LoadContext, VoiceSpec } from '../contracts/engine.ts';
import type { Synthesizer } from '../contracts/tts.ts';
import type { Voice, Voices } from '../contracts/voices.ts';
import { Slot } from './slot.ts';

/** A configured voice: known by name and rate at once, loaded in the background into its slot. */
export class VoiceEntry implements Voice {
  readonly name: string;
  readonly sampleRateHz: number;
  /** Loading state for `/ready`; the loaded synthesizer once ready. */
  readonly slot: Slot<Synthesizer>;
  readonly #spec: VoiceSpec;

  constructor(spec: VoiceSpec) {
    this.name = spec.name;
    this.sampleRateHz = spec.sampleRateHz;
    this.slot = new Slot<Synthesizer>(`voice ${spec.name}`);
    this.#spec = spec;
  }

  get speakers(): readonly string[] | undefined {
    return this.slot.value?.speakers;
  }

  synthesizer(): Synthesizer {
    return this.slot.get();
  }

  /** Starts loading; the promise never rejects (a failure is the slot's state). */
  load(context: LoadContext): Promise<void> {
    return this.slot.load(this.#spec.source, () => this.#spec.load(context));
  }

  close(): Promise<void> {
    return this.slot.close((synthesizer) => synthesizer.close());
  }
}

/** The voices the configured engine offers: the first is the default, the others speak the languages they list. */
export class VoiceRegistry implements Voices {
  readonly #entries: readonly VoiceEntry[];
  readonly #byName = new Map<string, VoiceEntry>();
  readonly #byLang = new Map<string, VoiceEntry>();
  readonly #default: VoiceEntry;

  constructor(specs: readonly VoiceSpec[]) {
    this.#entries = specs.map((spec) => new VoiceEntry(spec));
    const [first] = this.#entries;
    if (first === undefined) throw new Error('the speech engine offers no voice');
    this.#default = first;
    for (const [i, entry] of this.#entries.entries()) {
      if (this.#byName.has(entry.name)) throw new Error(`two configured voices are named ${entry.name}`);
      this.#byName.set(entry.name, entry);
      for (const lang of specs[i]?.languages ?? []) this.#byLang.set(lang.toLowerCase(), entry);
    }
  }

  get all(): VoiceEntry[] {
    return [...this.#entries];
  }

  /** The languages that have a voice of their own (beside the default's). */
  get languages(): string[] {
    return [...this.#byLang.keys()];
  }

  /** A voice asked for by name, else the language's voice (`zh-CN` falls back to `zh`), else the default. */
  select(lang: string, requested?: string): VoiceEntry {
    if (requested) {
      const named = this.#byName.get(requested);
      if (named) return named;
    }
    const wanted = lang.toLowerCase();
    return this.#byLang.get(wanted) ?? this.#byLang.get(wanted.split(/[-_]/)[0] ?? '') ?? this.#default;
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }
}
