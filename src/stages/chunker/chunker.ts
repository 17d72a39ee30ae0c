import { findCut, type CutRules } from './find-cut.ts';
import { speakableText } from './speakable-text.ts';
import { isSpeakable, isWhitespace } from './text-classes.ts';

/** Lengths are in units (a word, or one CJK character) unless named `Chars`. */
export interface PhraseChunkerOptions {
  /**
   * The first phrase may end at a clause boundary (a comma, or before a clause-opening conjunction such as "and")
   * once it has this many units (it may always end at a sentence end), so audio starts before the first sentence is
   * whole. Later phrases keep sentence boundaries for prosody.
   */
  firstMinUnits?: number;
  /** A later phrase ends at a sentence end only from this many units on; shorter sentences join the next. */
  minUnits?: number;
  /** A later phrase ends at a comma only from this many units on. */
  clauseMinUnits?: number;
  /** The first phrase is cut at its last space once this long, so the first audio starts early. */
  firstMaxChars?: number;
  maxChars?: number;
}

const DEFAULT_CHUNKER_OPTIONS: Required<PhraseChunkerOptions> = {
  firstMinUnits: 4,
  minUnits: 4,
  clauseMinUnits: 12,
  firstMaxChars: 80,
  maxChars: 200,
};

/**
 * Splits an LLM token stream into phrases for speech synthesis. Phrases are the same however the text was
 * split into tokens. Buffer policy: between calls at most `maxChars` characters wait (a longer phrase is cut at
 * its last space), so memory is bounded whatever the LLM sends.
 */
export class PhraseChunker {
  readonly #first: CutRules;
  readonly #later: CutRules;
  #buffer = '';
  #emitted = 0;
  // Whether the pending phrase starts a line of the LLM output (line-start markdown is stripped there).
  #startsLine = true;

  constructor(options: PhraseChunkerOptions = {}) {
    const o = { ...DEFAULT_CHUNKER_OPTIONS, ...options };
    for (const [key, value] of Object.entries(o)) {
      if (!Number.isInteger(value) || value < (key.endsWith('Chars') ? 8 : 1)) {
        throw new RangeError(`PhraseChunker option ${key} must be a positive integer (chars at least 8)`);
      }
    }
    this.#first = { minSentenceUnits: 1, minClauseUnits: o.firstMinUnits, maxChars: o.firstMaxChars, cutBeforeConjunction: true };
    this.#later = { minSentenceUnits: o.minUnits, minClauseUnits: o.clauseMinUnits, maxChars: o.maxChars };
  }

  /** Adds LLM output; returns the phrases it completed. */
  push(token: string): string[] {
    this.#buffer += token;
    return this.#drain(false);
  }

  /** Ends the stream: returns the remaining phrases and resets the chunker for the next response. */
  flush(): string[] {
    const phrases = this.#drain(true);
    this.#buffer = '';
    this.#emitted = 0;
    this.#startsLine = true;
    return phrases;
  }

  #drain(final: boolean): string[] {
    const phrases: string[] = [];
    for (;;) {
      this.#skipLeadingWhitespace();
      if (this.#buffer.length === 0) return phrases;
      const cut = findCut(this.#buffer, this.#emitted === 0 ? this.#first : this.#later, final);
      if (cut === undefined) return phrases;
      const phrase = speakableText(this.#buffer.slice(0, cut.end), this.#startsLine);
      this.#startsLine = this.#buffer[cut.end] === '\n';
      this.#buffer = this.#buffer.slice(cut.next);
      // Markup-only or punctuation-only pieces ("---", a stray "**") have nothing to say.
      if (isSpeakable(phrase)) {
        phrases.push(phrase);
        this.#emitted++;
      }
    }
  }

  #skipLeadingWhitespace(): void {
    let i = 0;
    while (i < this.#buffer.length && isWhitespace(this.#buffer[i] ?? '')) {
      if (this.#buffer[i] === '\n') this.#startsLine = true;
      i++;
    }
    if (i > 0) this.#buffer = this.#buffer.slice(i);
  }
}
