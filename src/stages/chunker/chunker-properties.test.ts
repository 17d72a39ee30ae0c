import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PhraseChunker } from './chunker.ts';

// Pieces that hit every trap: marks of both languages, closers, numbers, abbreviations, URLs, newlines.
const PLAIN_PIECES = [
  ' ', ' ', ' ', ' ', '\n', 'a', 'word', 'Hello', 'I', 'J', '我', '好', '的', '3', '14', '0',
  '.', ',', '?', '!', ';', ':', '...', '…', '。', '，', '、', '？', '！', '；', '：', '"', ')', '”', '」',
  '3.14', '1,000', '2.5%', 'Dr.', 'e.g.', 'U.S.', 'etc.', 'https://a.example/b?c=1', 'x.y@mail.example', '@', '/',
];
const MARKDOWN_PIECES = ['*', '**', '#', '## ', '`', '- ', '\n- ', '\n1. ', '__', '> ', '[link](https://a.b)', '~~'];

const plainText = fc.array(fc.constantFrom(...PLAIN_PIECES), { maxLength: 100, size: 'max' }).map((p) => p.join(''));
const markdownText = fc
  .array(fc.constantFrom(...PLAIN_PIECES, ...MARKDOWN_PIECES), { maxLength: 100, size: 'max' })
  .map((p) => p.join(''));
const anyText = fc.oneof(plainText, markdownText);

/** Splits `text` into tokens at arbitrary code-unit positions. */
function tokensOf(text: string, cuts: number[]): string[] {
  const positions = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const tokens: string[] = [];
  let start = 0;
  for (const p of positions) {
    tokens.push(text.slice(start, p));
    start = p;
  }
  tokens.push(text.slice(start));
  return tokens;
}

function chunkTokens(tokens: string[]): string[] {
  const chunker = new PhraseChunker();
  return [...tokens.flatMap((t) => chunker.push(t)), ...chunker.flush()];
}

const squash = (s: string) => s.replace(/\s+/gu, '');
const speakable = /[\p{L}\p{N}]/u;

/** Whether `output` is `input` with only unspeakable characters (a stray "!", "---") left out. */
function dropsOnlyUnspeakable(input: string, output: string): boolean {
  let i = 0;
  for (const ch of output) {
    while (i < input.length && input[i] !== ch) {
      if (speakable.test(input[i] ?? '')) return false;
      i++;
    }
    if (i === input.length) return false;
    i++;
  }
  return !speakable.test(input.slice(i));
}

const splits = fc.array(fc.nat(), { maxLength: 40, size: 'max' });

test('the phrases put back together are the input, modulo whitespace, however it was split into tokens', () => {
  fc.assert(
    fc.property(plainText, splits, (text, cuts) => {
      const joined = squash(chunkTokens(tokensOf(text, cuts)).join(''));
      assert.ok(dropsOnlyUnspeakable(squash(text), joined), `${JSON.stringify(text)} -> ${JSON.stringify(joined)}`);
    }),
    { numRuns: 300 },
  );
});

test('the phrases do not depend on where the token boundaries fall', () => {
  fc.assert(
    fc.property(anyText, splits, (text, cuts) => {
      assert.deepEqual(chunkTokens(tokensOf(text, cuts)), chunkTokens([text]));
    }),
    { numRuns: 300 },
  );
});

test('no phrase is empty or only whitespace', () => {
  fc.assert(
    fc.property(anyText, splits, (text, cuts) => {
      for (const phrase of chunkTokens(tokensOf(text, cuts))) {
        assert.ok(phrase.trim().length > 0);
        assert.equal(phrase, phrase.trim());
      }
    }),
    { numRuns: 300 },
  );
});

test('numbers such as 3.14 and 1,000 are never split across phrases', () => {
  const withNumbers = fc
    .tuple(plainText, fc.stringMatching(/^\d{1,6}[.,]\d{1,6}$/u), plainText)
    .map(([before, number, after]) => ({ text: `${before} ${number}${after}`, number }));
  fc.assert(
    fc.property(withNumbers, splits, ({ text, number }, cuts) => {
      const phrases = chunkTokens(tokensOf(text, cuts));
      for (const match of text.matchAll(/\d+[.,]\d+/gu)) {
        assert.ok(phrases.some((p) => p.includes(match[0])), `${match[0]} split in ${JSON.stringify(phrases)}`);
      }
      assert.ok(phrases.some((p) => p.includes(number)));
    }),
    { numRuns: 300 },
  );
});
