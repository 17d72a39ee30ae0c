import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BoundedQueue } from './bounded-queue.ts';

/** Items are "<lane><n>": the lane is the first letter. */
const laned = (capacity: number) => new BoundedQueue<string>({ capacity, overflow: 'refuse', laneOf: (item) => item.slice(0, 1) });

function drainInOrder<T>(queue: BoundedQueue<T>): T[] {
  const out: T[] = [];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) out.push(item);
  return out;
}

test('a burst from one session does not starve the sessions queued after it', () => {
  const queue = laned(10);
  for (const item of ['a1', 'a2', 'a3', 'a4', 'b1', 'c1', 'b2']) queue.offer(item);
  assert.deepEqual(drainInOrder(queue), ['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4']);
});

test('a full queue refuses new items and keeps what it holds', () => {
  const queue = laned(2);
  assert.equal(queue.offer('a1'), true);
  assert.equal(queue.offer('b2'), true);
  assert.equal(queue.offer('c3'), false);
  assert.equal(queue.size, 2);
  assert.deepEqual(drainInOrder(queue), ['a1', 'b2']);
});

test('removing a waiting item frees its place and leaves the order of the others', () => {
  const queue = laned(3);
  for (const item of ['a1', 'a2', 'b1']) queue.offer(item);
  assert.equal(queue.remove('a1'), true);
  assert.equal(queue.remove('a1'), false);
  assert.equal(queue.offer('c1'), true);
  assert.deepEqual(drainInOrder(queue), ['a2', 'b1', 'c1']);
});

test('every pushed item comes out exactly once, each session in its own order', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 40 }), (lanes) => {
      const queue = laned(lanes.length);
      lanes.forEach((lane, i) => queue.offer(`${lane}${i}`));
      const out = drainInOrder(queue);
      assert.equal(out.length, lanes.length);
      for (const lane of new Set(lanes)) {
        const mine = out.filter((item) => item.startsWith(lane)).map((item) => Number(item.slice(1)));
        assert.deepEqual(mine, [...mine].sort((x, y) => x - y));
      }
      assert.equal(queue.size, 0);
    }),
  );
});
