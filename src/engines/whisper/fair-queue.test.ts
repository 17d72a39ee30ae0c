import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FairQueue } from './fair-queue.ts';

function drainInOrder<T>(queue: FairQueue<T>): T[] {
  const out: T[] = [];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) out.push(item);
  return out;
}

test('a burst from one session does not starve the sessions queued after it', () => {
  const queue = new FairQueue<string>(10);
  for (const item of ['a1', 'a2', 'a3', 'a4']) queue.push('a', item);
  queue.push('b', 'b1');
  queue.push('c', 'c1');
  queue.push('b', 'b2');
  assert.deepEqual(drainInOrder(queue), ['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4']);
});

test('a full queue refuses new items and keeps what it holds', () => {
  const queue = new FairQueue<number>(2);
  assert.equal(queue.push('a', 1), true);
  assert.equal(queue.push('b', 2), true);
  assert.equal(queue.push('c', 3), false);
  assert.equal(queue.size, 2);
  assert.deepEqual(drainInOrder(queue), [1, 2]);
});

test('removing a waiting item frees its place and leaves the order of the others', () => {
  const queue = new FairQueue<string>(3);
  queue.push('a', 'a1');
  queue.push('a', 'a2');
  queue.push('b', 'b1');
  assert.equal(queue.remove('a', 'a1'), true);
  assert.equal(queue.remove('a', 'a1'), false);
  assert.equal(queue.push('c', 'c1'), true);
  assert.deepEqual(drainInOrder(queue), ['a2', 'b1', 'c1']);
});

test('every pushed item comes out exactly once, each session in its own order', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 40 }), (keys) => {
      const queue = new FairQueue<string>(keys.length);
      keys.forEach((key, i) => queue.push(key, `${key}${i}`));
      const out = drainInOrder(queue);
      assert.equal(out.length, keys.length);
      for (const key of new Set(keys)) {
        const mine = out.filter((item) => item.startsWith(key)).map((item) => Number(item.slice(1)));
        assert.deepEqual(mine, [...mine].sort((x, y) => x - y));
      }
      assert.equal(queue.size, 0);
    }),
  );
});
