import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhraseChunker, type PhraseChunkerOptions } from './chunker.ts';

function chunkWhole(text: string, options?: PhraseChunkerOptions): string[] {
  const chunker = new PhraseChunker(options);
  return [...chunker.push(text), ...chunker.flush()];
}

test('the first phrase may end at a comma so the first audio starts early; later commas need a long clause', () => {
  assert.deepEqual(
    chunkWhole('Your order shipped yesterday, and it should arrive on Friday, so keep an eye on your mailbox. Anything else?'),
    ['Your order shipped yesterday,', 'and it should arrive on Friday, so keep an eye on your mailbox.', 'Anything else?'],
  );
  assert.deepEqual(chunkWhole('您的订单昨天已经发货，预计周五送达，请留意查收。还有别的吗？'), [
    '您的订单昨天已经发货，',
    '预计周五送达，请留意查收。',
    '还有别的吗？',
  ]);
});

test('a very short opening still waits for a few words before a comma', () => {
  assert.deepEqual(chunkWhole('Sure, let me check that for you.'), ['Sure, let me check that for you.']);
  assert.deepEqual(chunkWhole('好，我查一下。'), ['好，我查一下。']);
});

test('a sentence end always closes the first phrase; later short sentences join the next one', () => {
  assert.deepEqual(chunkWhole('Yes. Ok. Fine. I will book the room for you now.'), ['Yes.', 'Ok. Fine. I will book the room for you now.']);
});

test('a phrase that grows past the limit is cut at its last space, and Chinese between characters', () => {
  const words = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
  const phrases = chunkWhole(words, { firstMaxChars: 40, maxChars: 60 });
  assert.ok(phrases.length > 2);
  assert.ok(phrases.every((p) => p.length <= 60));
  assert.equal(phrases.join(' '), words);
  assert.ok(phrases[0] !== undefined && phrases[0].length <= 40);

  const hanzi = '我'.repeat(25) + '3.14' + '你'.repeat(25);
  const cjkPhrases = chunkWhole(hanzi, { firstMaxChars: 20, maxChars: 20 });
  assert.equal(cjkPhrases.join(''), hanzi);
  assert.ok(cjkPhrases.every((p) => p.length <= 20));
  assert.ok(cjkPhrases.some((p) => p.includes('3.14')));
});

test('options outside their range are refused', () => {
  assert.throws(() => new PhraseChunker({ maxChars: 3 }), RangeError);
  assert.throws(() => new PhraseChunker({ minUnits: 0 }), RangeError);
});

test('the first phrase may end before a clause-opening conjunction once it has firstMinUnits words; later phrases do not', () => {
  const answer = 'Your order shipped this morning and should reach you on Thursday. I can text you the number and the link if you like.';
  assert.deepEqual(chunkWhole(answer), ['Your order shipped this morning', 'and should reach you on Thursday.', 'I can text you the number and the link if you like.']);
  // Too few words before it: "Dr. Smith and Mrs. Jones" stays one phrase.
  assert.deepEqual(chunkWhole('Ask Dr. Smith and Mrs. Jones.'), ['Ask Dr. Smith and Mrs. Jones.']);
  assert.deepEqual(chunkWhole(answer, { firstMinUnits: 8 }), ['Your order shipped this morning and should reach you on Thursday.', 'I can text you the number and the link if you like.']);
});

test('a word that may still become "and" holds the cut until it is whole, so token splits never change the phrases', () => {
  const chunker = new PhraseChunker();
  assert.deepEqual(chunker.push('Your order shipped this morning an'), []);
  assert.deepEqual(chunker.push('other way'), []);
  assert.deepEqual(chunker.flush(), ['Your order shipped this morning another way']);
});
