import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { splitSentences } from './text-clauses.ts';

test('sentences end at . ? ! and clauses at , : ; with their terminator', () => {
  assert.deepEqual(splitSentences('Hello world, the weather is nice today. Is it? Yes: it is; really!'), [
    [
      { text: 'Hello world', terminator: ',' },
      { text: 'the weather is nice today', terminator: '.' },
    ],
    [{ text: 'Is it', terminator: '?' }],
    [
      { text: 'Yes', terminator: ':' },
      { text: 'it is', terminator: ';' },
      { text: 'really', terminator: '!' },
    ],
  ]);
});

test('text after the last punctuation ends with a period, as espeak reports the end of text', () => {
  assert.deepEqual(splitSentences('no punctuation here'), [[{ text: 'no punctuation here', terminator: '.' }]]);
});

test('punctuation inside a word or number does not end a clause', () => {
  assert.deepEqual(splitSentences('It costs 3.50 dollars,and more.'), [
    [{ text: 'It costs 3.50 dollars,and more', terminator: '.' }],
  ]);
});

test('a run of punctuation and closing quotes ends one clause, named by its first mark', () => {
  assert.deepEqual(splitSentences('He said "stop!" Really?! Wait...'), [
    [{ text: 'He said "stop', terminator: '!' }],
    [{ text: 'Really', terminator: '?' }],
    [{ text: 'Wait', terminator: '.' }],
  ]);
});

test('CJK full-width punctuation ends clauses without spaces', () => {
  assert.deepEqual(splitSentences('你好，世界。今天天气很好！'), [
    [
      { text: '你好', terminator: ',' },
      { text: '世界', terminator: '.' },
    ],
    [{ text: '今天天气很好', terminator: '!' }],
  ]);
});

test('empty and punctuation-only text has no sentences', () => {
  assert.deepEqual(splitSentences(''), []);
  assert.deepEqual(splitSentences(' ... !? '), []);
});

test('no letter or digit of the input is lost or reordered', () => {
  const wordish = /[\p{L}\p{N}]/gu;
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('a', 'b', '7', ' ', '.', ',', '?', '!', ';', ':', '"', '。', '，', '\n') }), (text) => {
      const kept = splitSentences(text)
        .flat()
        .map((clause) => clause.text)
        .join(' ');
      assert.equal((kept.match(wordish) ?? []).join(''), (text.match(wordish) ?? []).join(''));
      for (const clause of splitSentences(text).flat()) assert.notEqual(clause.text.trim(), '');
    }),
  );
});
