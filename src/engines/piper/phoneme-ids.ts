import type { ClauseTerminator } from './text-clauses.ts';

export interface PhonemizedClause {
  /** espeak IPA of the clause, without punctuation (as the `phonemizer` package returns it). */
  ipa: string;
  terminator: ClauseTerminator;
}

export interface PhonemeIdMaps {
  phoneme_id_map: Readonly<Record<string, readonly number[]>>;
  phoneme_map: Readonly<Record<string, readonly string[]>>;
}

export interface PhonemeIds {
  ids: number[];
  /** Phonemes the voice has no id for, left out of `ids`, in order. */
  dropped: string[];
}

/**
 * One sentence's phonemes as piper-phonemize makes them: per clause, the IPA decomposed (NFD) into code points,
 * espeak's language-switch flags such as `(en)` removed, the voice's `phoneme_map` applied, then the clause's
 * terminator (`.` `?` `!` alone, `,` `:` `;` followed by a space).
 */
export function sentencePhonemes(clauses: readonly PhonemizedClause[], phonemeMap: PhonemeIdMaps['phoneme_map']): string[] {
  const phonemes: string[] = [];
  for (const clause of clauses) {
    let inLanguageFlag = false;
    for (const codePoint of clause.ipa.normalize('NFD')) {
      if (inLanguageFlag) {
        inLanguageFlag = codePoint !== ')';
      } else if (codePoint === '(') {
        inLanguageFlag = true;
      } else {
        phonemes.push(...(phonemeMap[codePoint] ?? [codePoint]));
      }
    }
    phonemes.push(clause.terminator);
    if (clause.terminator === ',' || clause.terminator === ':' || clause.terminator === ';') phonemes.push(' ');
  }
  return phonemes;
}

/** Piper's id sequence: `^`, then every phoneme's ids each followed by the pad `_`, then `$`. */
export function phonemesToIds(phonemes: readonly string[], idMap: PhonemeIdMaps['phoneme_id_map']): PhonemeIds {
  const pad = idMap['_'] ?? [];
  const ids = [...(idMap['^'] ?? []), ...pad];
  const dropped: string[] = [];
  for (const phoneme of phonemes) {
    const phonemeIds = idMap[phoneme];
    if (phonemeIds === undefined) {
      dropped.push(phoneme);
      continue;
    }
    ids.push(...phonemeIds, ...pad);
  }
  ids.push(...(idMap['$'] ?? []));
  return { ids, dropped };
}
