import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhraseChunker } from './chunker.ts';

/** Feeds `text` one character at a time, the harshest token split, and flushes. */
function chunkByCharacter(text: string): string[] {
  const chunker = new PhraseChunker();
  return [...[...text].flatMap((ch) => chunker.push(ch)), ...chunker.flush()];
}

test('decimals, thousands separators and percentages stay inside one phrase', () => {
  assert.deepEqual(chunkByCharacter('Pi is about 3.14, and the total is 1,000 dollars. Growth was 2.5% this year.'), [
    'Pi is about 3.14,',
    'and the total is 1,000 dollars.',
    'Growth was 2.5% this year.',
  ]);
  assert.deepEqual(chunkByCharacter('圆周率约为3.14，总价是1,000元。增长了2.5%。'), ['圆周率约为3.14，', '总价是1,000元。', '增长了2.5%。']);
});

test('abbreviations do not end a phrase, whatever their case', () => {
  assert.deepEqual(
    chunkByCharacter('Ask Dr. Smith and Mrs. Jones on Main St. about it. Fruit, e.g. apples, i.e. food, etc. are fine. The U.S. team won.'),
    ['Ask Dr. Smith and Mrs. Jones on Main St. about it.', 'Fruit, e.g. apples, i.e. food, etc. are fine.', 'The U.S. team won.'],
  );
  assert.deepEqual(chunkByCharacter('Ask DR. Smith. We meet at 5 P.M. tomorrow, E.G. at noon.'), [
    'Ask DR. Smith.',
    'We meet at 5 P.M. tomorrow, E.G. at noon.',
  ]);
  assert.deepEqual(chunkByCharacter('Books by J. R. R. Tolkien are long. So am I. Yes.'), [
    'Books by J. R. R. Tolkien are long.',
    'So am I. Yes.',
  ]);
});

test('URLs and e-mail addresses are never split, their dots and question marks are not sentence ends', () => {
  assert.deepEqual(
    chunkByCharacter('Go to https://shop.example.com/orders?id=1234. Or write to help.desk@example.co.uk, we answer fast.'),
    ['Go to https://shop.example.com/orders?id=1234.', 'Or write to help.desk@example.co.uk, we answer fast.'],
  );
  assert.deepEqual(chunkByCharacter('请访问example.com/zh?q=1查看。或者发邮件到a.b@example.cn。'), [
    '请访问example.com/zh?q=1查看。',
    '或者发邮件到a.b@example.cn。',
  ]);
});

test('an ellipsis or a run of marks is one sentence end', () => {
  assert.deepEqual(chunkByCharacter('Well... let me think about that for a moment. Really?! That is great news.'), [
    'Well...',
    'let me think about that for a moment.',
    'Really?! That is great news.',
  ]);
  assert.deepEqual(chunkByCharacter('嗯……让我想想。真的吗？！太好了。'), ['嗯……', '让我想想。', '真的吗？！太好了。']);
});

test('closing quotes and brackets stay with the mark they follow', () => {
  assert.deepEqual(chunkByCharacter('He said "I will call you later." Then he hung up the phone (finally.) Bye now.'), [
    'He said "I will call you later."',
    'Then he hung up the phone (finally.)',
    'Bye now.',
  ]);
  assert.deepEqual(chunkByCharacter('他说：“我马上到。”然后挂了电话。'), ['他说：“我马上到。”', '然后挂了电话。']);
});

test('times and ratios keep their colon; a colon before a space may end a long clause', () => {
  // After a first phrase: the first may also end before "and" (chunker-first-phrase-is-short-later-phrases-longer).
  assert.deepEqual(chunkByCharacter('Sure. The meeting is at 10:30 and the ratio is 3:1. Here is the plan for the next three weeks of the project: we start now.'), [
    'Sure.',
    'The meeting is at 10:30 and the ratio is 3:1.',
    'Here is the plan for the next three weeks of the project:',
    'we start now.',
  ]);
});

test('a mark at the end of the text so far is held until the next token shows what it is', () => {
  const chunker = new PhraseChunker();
  assert.deepEqual(chunker.push('It costs 3.'), []);
  assert.deepEqual(chunker.push('14 dollars.'), []);
  assert.deepEqual(chunker.push(' Thanks'), ['It costs 3.14 dollars.']);
  assert.deepEqual(chunker.flush(), ['Thanks']);

  assert.deepEqual(chunker.push('好的。'), []);
  assert.deepEqual(chunker.push('”'), []);
  assert.deepEqual(chunker.push('我'), ['好的。”']);
  assert.deepEqual(chunker.flush(), ['我']);
});

test('the rest is flushed at the end, and the chunker starts afresh after a flush', () => {
  const chunker = new PhraseChunker();
  assert.deepEqual(chunker.push('No final mark here'), []);
  assert.deepEqual(chunker.flush(), ['No final mark here']);
  assert.deepEqual(chunker.flush(), []);
  assert.deepEqual(chunker.push('Hi. '), ['Hi.']);
});
