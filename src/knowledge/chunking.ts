import type { Chunk } from './store.ts';

/** A run of text under one chain of headings (outermost first). */
export interface Section {
  headings: string[];
  text: string;
}

const HEADING = /^(#{1,6})[ \t]+(.+?)[ \t#]*$/;
const FENCE = /^\s*(```|~~~)/;

/** Markdown as sections: ATX headings (`#` to `######`) open a section; fenced code never does. */
export function markdownSections(markdown: string): Section[] {
  const sections: Section[] = [];
  const stack: string[] = [];
  let lines: string[] = [];
  let inFence = false;
  const close = () => {
    const text = lines.join('\n').trim();
    if (text) sections.push({ headings: [...stack], text });
    lines = [];
  };
  for (const line of markdown.split(/\r?\n/)) {
    if (FENCE.test(line)) inFence = !inFence;
    const heading = inFence ? null : HEADING.exec(line);
    if (!heading) {
      lines.push(line);
      continue;
    }
    close();
    const level = (heading[1] as string).length;
    stack.length = Math.min(stack.length, level - 1);
    while (stack.length < level - 1) stack.push('');
    stack.push((heading[2] as string).trim());
  }
  close();
  return sections;
}

// Sentence boundaries from ICU: '.', '?', '!' followed by space, and '。', '！', '？' with none, as each language writes.
const sentences = new Intl.Segmenter(undefined, { granularity: 'sentence' });
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function splitSentences(paragraph: string): string[] {
  return [...sentences.segment(paragraph)].map((s) => s.segment.trim()).filter((s) => s !== '');
}

/** A sentence too long for one chunk is cut at the last space before the limit, or between characters (CJK). */
function cutLongSentence(sentence: string, maxChars: number): string[] {
  const pieces: string[] = [];
  let rest = sentence;
  while (rest.length > maxChars) {
    const window = rest.slice(0, maxChars + 1);
    const space = window.lastIndexOf(' ');
    let cut = space > maxChars / 2 ? space : maxChars;
    // Never split a surrogate pair or a combined character.
    let end = 0;
    for (const { index } of graphemes.segment(rest)) {
      if (index > cut) break;
      end = index;
    }
    cut = end > 0 ? end : cut;
    pieces.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** Joins sentences: a space between Latin ones, nothing between CJK ones. */
function join(left: string, right: string): string {
  if (!left) return right;
  return /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\u3000-\u303f\uff00-\uffef]$/u.test(left) ? left + right : `${left} ${right}`;
}

/**
 * Chunks of about `maxChars` (never more), each within one section and made of whole sentences where a sentence
 * fits; paragraphs stay together when they fit. Each chunk carries its section's headings.
 */
export function chunkSections(sections: readonly Section[], maxChars: number): Chunk[] {
  const chunks: Chunk[] = [];
  for (const section of sections) {
    const heading = section.headings.filter((h) => h !== '').join(' > ');
    let current = '';
    const flush = () => {
      if (current) chunks.push({ heading, text: current });
      current = '';
    };
    for (const paragraph of section.text.split(/\n\s*\n/)) {
      const flat = paragraph.replace(/\s*\n\s*/g, ' ').trim();
      if (!flat) continue;
      // A new paragraph starts a new chunk unless it fits whole into the current one.
      if (current && join(current, flat).length > maxChars) flush();
      for (const sentence of splitSentences(flat).flatMap((s) => cutLongSentence(s, maxChars))) {
        const joined = join(current, sentence);
        if (joined.length <= maxChars) {
          current = joined;
          continue;
        }
        flush();
        current = sentence;
      }
    }
    flush();
  }
  return chunks;
}
