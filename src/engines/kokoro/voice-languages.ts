/**
 * What a Kokoro voice's first letter says about its language (hexgrad/kokoro's KPipeline codes), and how this
 * engine phonemises it: espeak-ng's voice, and which of misaki's espeak conversions applies. Kokoro's own pipeline
 * phonemises `e f h i p` with espeak-ng too, and `a b` with misaki's English lexicon falling back to espeak-ng, so
 * espeak serves these faithfully or close to it. Japanese (`j`) and Mandarin (`z`) voices were trained on misaki's
 * own front ends (pyopenjtalk; pinyin with tone arrows): espeak-ng reads kanji as "Chinese letter" and gives tones as
 * digits the vocabulary lacks, so those voices are not offered.
 */
export type Dialect = 'en-us' | 'en-gb' | 'other';

export interface VoiceLanguage {
  /** Primary language subtag, for the session languages a voice speaks. */
  language: string;
  espeakVoice: string;
  dialect: Dialect;
}

const BY_PREFIX: Readonly<Record<string, VoiceLanguage>> = {
  a: { language: 'en', espeakVoice: 'en-us', dialect: 'en-us' },
  // espeak-ng's `en` is British English (kokoro.js reads `b` voices with it too).
  b: { language: 'en', espeakVoice: 'en', dialect: 'en-gb' },
  e: { language: 'es', espeakVoice: 'es', dialect: 'other' },
  f: { language: 'fr', espeakVoice: 'fr', dialect: 'other' },
  h: { language: 'hi', espeakVoice: 'hi', dialect: 'other' },
  i: { language: 'it', espeakVoice: 'it', dialect: 'other' },
  p: { language: 'pt', espeakVoice: 'pt-br', dialect: 'other' },
};

/** The language of a voice named like `af_heart`; undefined for a prefix this engine cannot phonemise. */
export function voiceLanguage(voiceName: string): VoiceLanguage | undefined {
  return BY_PREFIX[voiceName.charAt(0)];
}

export const SPOKEN_PREFIXES = Object.keys(BY_PREFIX);
