import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedQueue, QueueClosedError, QueueFullError } from './bounded-queue.ts';

const live = (): AbortSignal => new AbortController().signal;

test('refuse: a full queue refuses one more item and keeps what it holds', async () => {
  const queue = new BoundedQueue<number>({ capacity: 2, overflow: 'refuse' });
  assert.equal(queue.offer(1), true);
  await queue.push(2, live());
  assert.equal(queue.offer(3), false);
  await assert.rejects(queue.push(3, live()), QueueFullError);
  assert.deepEqual(queue.clear(), [1, 2]);
});

test('drop-oldest: a full queue drops the oldest item, reports it, and keeps the newest', () => {
  const dropped: number[] = [];
  const queue = new BoundedQueue<number>({ capacity: 2, overflow: 'drop-oldest', onDrop: (item) => dropped.push(item) });
  for (const item of [1, 2, 3, 4]) assert.equal(queue.offer(item), true);
  assert.deepEqual(dropped, [1, 2]);
  assert.deepEqual(queue.clear(), [3, 4]);
});

test('block: a push waits for room, and blocked pushes go in in the order they came', async () => {
  const queue = new BoundedQueue<number>({ capacity: 1, overflow: 'block' });
  await queue.push(1, live());
  assert.equal(queue.offer(2), false);
  const order: number[] = [];
  const second = queue.push(2, live()).then(() => order.push(2));
  const third = queue.push(3, live()).then(() => order.push(3));
  assert.equal(queue.size, 1);
  assert.equal(queue.shift(), 1);
  await second;
  assert.deepEqual(order, [2]);
  assert.equal(queue.shift(), 2);
  await third;
  assert.deepEqual(queue.clear(), [3]);
});

test('block: an aborted push gives its place up at once to the next one waiting', async () => {
  const queue = new BoundedQueue<string>({ capacity: 1, overflow: 'block' });
  queue.offer('first');
  const controller = new AbortController();
  const abandoned = queue.push('abandoned', controller.signal);
  const next = queue.push('next', live());
  controller.abort();
  await assert.rejects(abandoned, { name: 'AbortError' });
  queue.shift();
  await next;
  assert.deepEqual(queue.clear(), ['next']);
});

test('block: a queue that can never make room refuses instead of waiting for ever', async () => {
  const queue = new BoundedQueue<number>({ capacity: 0, overflow: 'block' });
  await assert.rejects(queue.push(1, live()), QueueFullError);
});

test('close: blocked pushes and later ones fail with QueueClosedError; what was queued stays to be taken', async () => {
  const queue = new BoundedQueue<number>({ capacity: 1, overflow: 'block' });
  queue.offer(1);
  const blocked = queue.push(2, live());
  queue.close();
  await assert.rejects(blocked, QueueClosedError);
  await assert.rejects(queue.push(3, live()), QueueClosedError);
  assert.equal(queue.offer(3), false);
  assert.equal(queue.shift(), 1);
});

test('a push whose signal is already aborted adds nothing', async () => {
  const queue = new BoundedQueue<number>({ capacity: 1, overflow: 'refuse' });
  await assert.rejects(queue.push(1, AbortSignal.abort()), { name: 'AbortError' });
  assert.equal(queue.size, 0);
});
