/** Piper's clause terminators: what espeak reports at the end of each clause. */
export type ClauseTerminator = '.' | '?' | '!' | ',' | ':' | ';';

export interface Clause {
  text: string;
  terminator: ClauseTerminator;
}

/** Clauses up to and including one that ends with `.`, `?` or `!`; Piper synthesises each separately. */
export type Sentence = Clause[];

const TERMINATOR_OF: Readonly<Record<string, ClauseTerminator>> = {
  '.': '.', '?': '?', '!': '!', ',': ',', ':': ':', ';': ';', '…': '.',
  '。': '.', '？': '?', '！': '!', '，': ',', '：': ':', '；': ';', '、': ',',
};

// Like espeak: ASCII punctuation ends a clause only before a space or the end (so "3.14" and "a.m" stay whole),
// possibly after closing quotes; CJK full-width punctuation ends one wherever it is.
const CLAUSE_END = /([.?!,:;…]+)["'”’)\]]*(?=\s|$)|([。？！，：；、]+)/gu;

function isSentenceEnd(terminator: ClauseTerminator): boolean {
  return terminator === '.' || terminator === '?' || terminator === '!';
}

/**
 * Splits text into sentences of clauses, with the terminator that ended each clause. espeak-ng's IPA output
 * drops punctuation, so this is where Piper's terminators come from. Text after the last punctuation ends
 * with `.`, as espeak reports the end of the text.
 */
export function splitSentences(text: string): Sentence[] {
  const sentences: Sentence[] = [];
  let current: Sentence = [];
  const push = (clauseText: string, terminator: ClauseTerminator): void => {
    const trimmed = clauseText.trim();
    if (trimmed.length > 0) current.push({ text: trimmed, terminator });
    if (isSentenceEnd(terminator) && current.length > 0) {
      sentences.push(current);
      current = [];
    }
  };
  let clauseStart = 0;
  for (const match of text.matchAll(CLAUSE_END)) {
    const punctuation = match[1] ?? match[2] ?? '.';
    push(text.slice(clauseStart, match.index), TERMINATOR_OF[punctuation.charAt(0)] ?? '.');
    clauseStart = match.index + match[0].length;
  }
  push(text.slice(clauseStart), '.');
  return sentences;
}
