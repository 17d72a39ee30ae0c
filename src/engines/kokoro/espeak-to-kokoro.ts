import type { Dialect } from './voice-languages.ts';

type Rules = readonly (readonly [string, string])[];

/**
 * misaki's conversions from espeak-ng's IPA to the symbols Kokoro was trained on (hexgrad/misaki espeak.py:
 * EspeakFallback for English, EspeakG2P for the others). misaki asks espeak for a tie between the letters of one
 * phoneme (`a^ɪ`); espeak-ng here separates phonemes by `_` instead, so each rule applies inside one phoneme and a
 * diphthong never merges with the next vowel.
 */
const ENGLISH_RULES: Rules = [
  ['aɪ', 'I'], ['aʊ', 'W'], ['dʒ', 'ʤ'], ['eɪ', 'A'], ['tʃ', 'ʧ'], ['ɔɪ', 'Y'], ['əl', 'ᵊl'],
  ['e', 'A'], ['ɚ', 'əɹ'], ['r', 'ɹ'], ['x', 'k'], ['ç', 'k'], ['ɐ', 'ə'], ['ɬ', 'l'], ['ʔ', 't'], ['ʲ', ''], ['\u0303', ''],
];
const US_RULES: Rules = [['oʊ', 'O'], ['ɜːɹ', 'ɜɹ'], ['ɜː', 'ɜɹ'], ['ɪə', 'iə'], ['ː', '']];
const GB_RULES: Rules = [['əʊ', 'Q'], ['eə', 'ɛː'], ['iə', 'ɪə']];
const OTHER_RULES: Rules = [
  ['aɪ', 'I'], ['aʊ', 'W'], ['dz', 'ʣ'], ['dʒ', 'ʤ'], ['eɪ', 'A'], ['oʊ', 'O'], ['əʊ', 'Q'], ['ss', 'S'], ['ts', 'ʦ'],
  ['tʃ', 'ʧ'], ['ɔɪ', 'Y'], ['-', ''],
];

// Dialect rules first: British `eə` must become `ɛː` before the English `e` becomes `A`.
const RULES: Readonly<Record<Dialect, Rules>> = {
  'en-us': [...US_RULES.filter(([from]) => from !== 'ː'), ...ENGLISH_RULES, ['ː', ''], ['o', 'ɔ']],
  'en-gb': [...GB_RULES, ...ENGLISH_RULES, ['o', 'ɔ']],
  other: OTHER_RULES,
};

// espeak marks a switch to another language's reading with flags such as `(en)`.
const LANGUAGE_FLAG = /\([a-z-]+\)/g;
const SYLLABIC = /(\S)\u0329/gu;

/**
 * One clause of espeak-ng IPA (words split by spaces, phonemes by `_`, long clauses by ` | `) as Kokoro phonemes:
 * misaki's conversions per phoneme, the language-switch flags removed, words joined by single spaces.
 */
export function espeakToKokoro(espeakIpa: string, dialect: Dialect): string {
  const rules = RULES[dialect];
  const words = espeakIpa.replace(LANGUAGE_FLAG, '').split(/\s+\|?\s*/);
  const converted = words.map((word) =>
    word
      .split('_')
      .map((phoneme) => rules.reduce((text, [from, to]) => text.replaceAll(from, to), phoneme))
      .join(''),
  );
  const text = converted.filter((word) => word.length > 0).join(' ');
  // misaki writes a syllabic consonant (`n̩`) as a small schwa before it.
  return dialect === 'other' ? text : text.replace(SYLLABIC, 'ᵊ$1').replaceAll('\u0329', '');
}
