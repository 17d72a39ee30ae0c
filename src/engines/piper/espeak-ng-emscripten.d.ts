// The package ships no types: the part of its Emscripten module this engine calls.
declare module '@echogarden/espeak-ng-emscripten' {
  export interface EspeakWorker {
    /** 0 when espeak has the voice. */
    set_voice(name: string): number;
    /** A pointer to espeak's NUL-terminated result: clauses split by ` | `, phonemes by `_`. */
    convert_to_phonemes(text: string, ipa: boolean): { ptr: number };
  }
  export interface EspeakModule {
    eSpeakNGWorker: new () => EspeakWorker;
    HEAPU8: Uint8Array;
  }
  export default function createModule(): Promise<EspeakModule>;
}
