import {
  breakStrength,
  countUnits,
  endsAbbreviation,
  isBreakOrCloser,
  isCjk,
  isSpeakable,
  isWhitespace,
  isWideBreak,
} from './text-classes.ts';

export interface CutRules {
  /** Units (words or CJK characters) a phrase needs before a sentence end may close it. */
  minSentenceUnits: number;
  /** Units a phrase needs before a comma-like mark may close it. */
  minClauseUnits: number;
  /** Past this many characters without a break the phrase is cut at its last space. */
  maxChars: number;
  /** A phrase of `minClauseUnits` may also end before a conjunction that opens a clause ("... this morning | and ..."). */
  cutBeforeConjunction?: boolean;
}

/** English words that open a new clause: a natural place to breathe, so a phrase may end before them. */
const CLAUSE_OPENERS = ['and', 'but', 'so', 'because', 'or', 'which', 'while', 'although', 'though'];
const CLAUSE_OPENER_AHEAD = new RegExp(`^(?:${CLAUSE_OPENERS.join('|')})(?=[\\s,])`, 'i');

/** `end`: the phrase is `text.slice(0, end)`; the rest starts at `next`. */
export interface Cut {
  end: number;
  next: number;
}

/**
 * Finds where the phrase at the start of `text` ends, scanning left to right. Returns undefined when that
 * depends on text not seen yet (a mark at the very end may still turn out to be the "." of "3.14"); with
 * `final` the end of `text` is the end of the stream. Because the answer for a prefix is either undefined or
 * the answer for the whole text, the phrases never depend on how the text was split into tokens.
 */
export function findCut(text: string, rules: CutRules, final: boolean): Cut | undefined {
  const limit = rules.maxChars;
  let i = 0;
  for (;;) {
    if (i >= limit) return cutNearLimit(text, limit);
    const ch = text[i];
    if (ch === undefined) return final ? { end: text.length, next: text.length } : undefined;
    if (ch === '\n') {
      // A new line (list item, paragraph, heading) always starts a new phrase once there is something to say.
      if (isSpeakable(text.slice(0, i))) return { end: i, next: i + 1 };
      i++;
      continue;
    }
    if (rules.cutBeforeConjunction && isWhitespace(ch) && countUnits(text.slice(0, i)) >= rules.minClauseUnits) {
      const rest = text.slice(i + 1);
      if (CLAUSE_OPENER_AHEAD.test(rest)) return { end: i, next: i + 1 };
      // "an" may still become "and": wait for the word to end (the cut must not depend on how tokens split).
      if (!final && mayBecomeClauseOpener(rest)) return undefined;
    }
    if (breakStrength(ch) === undefined) {
      i++;
      continue;
    }
    // A run of marks and closers ("...", "?!", '."', "。」", ".**") counts as one mark.
    let j = i + 1;
    let marks = ch;
    while (j < text.length && j < limit && isBreakOrCloser(text[j] ?? '')) {
      const c = text[j] ?? '';
      if (breakStrength(c) !== undefined) marks += c;
      j++;
    }
    if (j >= limit) return cutNearLimit(text, limit);
    const after = text[j];
    if (after === undefined && !final) return undefined;
    const delimited = [...marks].some(isWideBreak) || after === undefined || isWhitespace(after) || isCjk(after);
    if (delimited && mayEndPhrase(text.slice(0, i), marks, rules)) return { end: j, next: j };
    i = j;
  }
}

function mayBecomeClauseOpener(rest: string): boolean {
  const word = rest.toLowerCase();
  return !/\s|,/.test(word) && CLAUSE_OPENERS.some((opener) => opener.startsWith(word));
}

/** `before`: the phrase up to the run of marks; `marks`: the marks of the run without closers. */
function mayEndPhrase(before: string, marks: string, rules: CutRules): boolean {
  const sentence = [...marks].some((m) => breakStrength(m) === 'sentence');
  const units = countUnits(before);
  if (units === 0 || units < (sentence ? rules.minSentenceUnits : rules.minClauseUnits)) return false;
  if (marks === '.') {
    if (endsAbbreviation(before)) return false;
    // "1. " opening a numbered list item is not a sentence.
    if (/^[^\p{L}\p{N}]*\p{N}+$/u.test(before)) return false;
  }
  return true;
}

/** The cut for a phrase that reached `limit` characters: the last space, else a CJK boundary, else hard. */
function cutNearLimit(text: string, limit: number): Cut {
  for (let k = limit - 1; k > 0; k--) {
    if (isWhitespace(text[k] ?? '')) return { end: k, next: k + 1 };
  }
  for (let k = limit - 1; k > 0; k--) {
    if (isCjk(text[k - 1] ?? '') && !isBreakOrCloser(text[k] ?? '')) return { end: k, next: k };
  }
  // Never between the two halves of a surrogate pair.
  const last = text.charCodeAt(limit - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? limit - 1 : limit;
  return { end, next: end };
}
