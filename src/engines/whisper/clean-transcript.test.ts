import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cleanTranscript } from './clean-transcript.ts';

const cases: Array<[raw: string, expected: string]> = [
  [' And so my fellow Americans, ask not.', 'And so my fellow Americans, ask not.'],
  ['[BLANK_AUDIO]', ''],
  [' [BLANK_AUDIO].', ''],
  ['[MUSIC]', ''],
  [' (music)', ''],
  ['[ Silence ]', ''],
  [' (wind blowing)', ''],
  ['♪', ''],
  [' ♪ ♫ ♬ 🎵 🎶 ', ''],
  ['♪ la la la ♪', 'la la la'],
  [' [Music] Hello there.', 'Hello there.'],
  ['Hello (coughs) world', 'Hello world'],
  ['Hello [ inaudible ] world [BLANK_AUDIO]', 'Hello world'],
  ['(outer (inner) still outer) kept', 'kept'],
  ['（笑）今天天气怎么样？', '今天天气怎么样？'],
  ['【音楽】', ''],
  ['  several \n\t spaces   here ', 'several spaces here'],
  ['', ''],
  ['   ', ''],
  ['Order 1234.', 'Order 1234.'],
  ['unmatched [bracket stays', 'unmatched [bracket stays'],
];

test('cleanTranscript removes non-speech markers and keeps the words', () => {
  for (const [raw, expected] of cases) {
    assert.equal(cleanTranscript(raw), expected, JSON.stringify(raw));
  }
});

test('cleanTranscript is idempotent and leaves no markers, music symbols or edge whitespace', () => {
  const pieces = fc.constantFrom('[BLANK_AUDIO]', '(music)', '♪', ' ', '\n', 'hello', 'world.', '[', ')', '(a [b] c)', '42');
  fc.assert(
    fc.property(fc.array(pieces, { maxLength: 12 }), (parts) => {
      const cleaned = cleanTranscript(parts.join(''));
      assert.equal(cleanTranscript(cleaned), cleaned);
      assert.doesNotMatch(cleaned, /\[[^[\]]*\]|\([^()]*\)|♪|^\s|\s$|\s\s/);
    }),
  );
});
