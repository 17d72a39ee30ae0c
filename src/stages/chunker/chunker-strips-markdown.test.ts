import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhraseChunker } from './chunker.ts';

function chunkByCharacter(text: string): string[] {
  const chunker = new PhraseChunker();
  return [...[...text].flatMap((ch) => chunker.push(ch)), ...chunker.flush()];
}

test('headings, bullets, emphasis and code markers are not spoken; each list item is its own phrase', () => {
  assert.deepEqual(
    chunkByCharacter('## Your options\n\n- **Express** shipping takes `2` days.\n* Standard: 5 days\n+ __Pickup__ is free\n> Quoted line\n---\n'),
    ['Your options', 'Express shipping takes 2 days.', 'Standard: 5 days', 'Pickup is free', 'Quoted line'],
  );
  assert.deepEqual(chunkByCharacter('### 配送方式\n- **快递**：两天\n- 自提：免费\n'), ['配送方式', '快递：两天', '自提：免费']);
});

test('numbered list items keep their number and are not cut after it', () => {
  assert.deepEqual(chunkByCharacter('Steps:\n1. Open the app.\n2. Tap **Orders**.\n'), ['Steps:', '1. Open the app.', '2. Tap Orders.']);
});

test('links read as their text, and markup in mid-line is not a bullet', () => {
  assert.deepEqual(chunkByCharacter('See [the help page](https://example.com/help) for more. It is -5 degrees and 3 * 4 is 12.'), [
    'See the help page for more.',
    'It is -5 degrees and 3 * 4 is 12.',
  ]);
});

test('a response that is only markup yields no phrase', () => {
  assert.deepEqual(chunkByCharacter('**\n---\n```\n'), []);
});
