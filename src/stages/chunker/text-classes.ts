/** Character classes the phrase chunker decides on. English and Chinese (CJK scripts are self-delimiting). */

const CJK_CHAR = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]/u;
const SPEAKABLE = /[\p{L}\p{N}]/u;
// A unit is roughly one spoken word: a CJK character, or a run of other letters and digits.
const UNIT = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]|(?:(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}])[\p{L}\p{N}])+/gu;

// ASCII marks end a phrase only when followed by whitespace, the end or a CJK character: that keeps
// 3.14, 1,000, example.com, a@b.co, https://x.y/?q=1 and 10:30 whole.
const SENTENCE_ENDS_ASCII = new Set(['.', '?', '!', ';', '…']);
const CLAUSE_MARKS_ASCII = new Set([',', ':']);
// Full-width marks end a phrase wherever they stand.
const SENTENCE_ENDS_WIDE = new Set(['。', '？', '！', '；', '．', '｡']);
const CLAUSE_MARKS_WIDE = new Set(['，', '、', '：']);
// Characters that stay with the mark before them: quotes, brackets and markdown emphasis.
const CLOSERS = new Set(['"', "'", '”', '’', ')', ']', '}', '»', '」', '』', '）', '】', '》', '*', '_', '`']);

export type BreakStrength = 'sentence' | 'clause';

export function isCjk(ch: string): boolean {
  return CJK_CHAR.test(ch);
}

export function isWhitespace(ch: string): boolean {
  return /\s/u.test(ch);
}

export function breakStrength(ch: string): BreakStrength | undefined {
  if (SENTENCE_ENDS_ASCII.has(ch) || SENTENCE_ENDS_WIDE.has(ch)) return 'sentence';
  if (CLAUSE_MARKS_ASCII.has(ch) || CLAUSE_MARKS_WIDE.has(ch)) return 'clause';
  return undefined;
}

export function isWideBreak(ch: string): boolean {
  return SENTENCE_ENDS_WIDE.has(ch) || CLAUSE_MARKS_WIDE.has(ch);
}

export function isBreakOrCloser(ch: string): boolean {
  return breakStrength(ch) !== undefined || CLOSERS.has(ch);
}

export function isSpeakable(text: string): boolean {
  return SPEAKABLE.test(text);
}

export function countUnits(text: string): number {
  return text.match(UNIT)?.length ?? 0;
}

// Compared lower-case, without the final period.
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'sr', 'jr', 'vs', 'etc', 'inc', 'ltd', 'co', 'corp', 'dept', 'approx',
  'fig', 'vol', 'mt', 'ave', 'blvd', 'e.g', 'i.e', 'a.m', 'p.m', 'u.s', 'u.k', 'u.s.a', 'ph.d',
]);
// Dotted letter groups such as "e.g", "U.S", "a.m" (the final period is the candidate break).
const DOTTED_LETTERS = /^(?:\p{L}\.)+\p{L}$/u;
// Initials such as the "J" of "J. Smith"; "I" is a word, not an initial.
const INITIAL = /^(?!I$)\p{Lu}$/u;
const LEADING_OPENERS = /^[("'“‘[{«「『（*_`]+/u;

/** Whether a period right after `before` closes an abbreviation rather than a sentence. */
export function endsAbbreviation(before: string): boolean {
  let start = before.length;
  while (start > 0 && !isWhitespace(before[start - 1] ?? ' ') && !isCjk(before[start - 1] ?? ' ')) start--;
  const word = before.slice(start).replace(LEADING_OPENERS, '');
  if (word.length === 0) return false;
  return ABBREVIATIONS.has(word.toLowerCase()) || DOTTED_LETTERS.test(word) || INITIAL.test(word);
}
