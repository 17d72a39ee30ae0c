import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkTokens } from './token-chunks.ts';
import { SPACE_ID } from './vocab.ts';

const S = SPACE_ID;

test('whole clauses share a run while they fit', () => {
  assert.deepEqual(chunkTokens([[1, 2], [3, 4], [5]], 4), [[1, 2, 3, 4], [5]]);
});

test('a clause longer than a run is cut at its last space that fits, the space dropped', () => {
  assert.deepEqual(chunkTokens([[1, 2, S, 3, 4, S, 5, 6, 7]], 4), [[1, 2], [3, 4], [5, 6, 7]]);
  assert.deepEqual(chunkTokens([[1, 2, S, 3, 4, S, 5, 6]], 5), [[1, 2, S, 3, 4], [5, 6]]);
});

test('a word longer than a run is cut where the limit falls; nothing is lost', () => {
  const word = Array.from({ length: 12 }, (_, i) => i + 100);
  const runs = chunkTokens([word], 5);
  assert.deepEqual(runs.flat(), word);
  assert.ok(runs.every((run) => run.length <= 5));
});

test('no clauses, no runs', () => {
  assert.deepEqual(chunkTokens([]), []);
});
