import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedQueue } from './bounded-queue.ts';

interface Job {
  lane: string;
  n: number;
}

test('background lanes are served only when no foreground lane waits, and take turns among themselves', () => {
  const queue = new BoundedQueue<Job>({
    capacity: 16,
    overflow: 'refuse',
    laneOf: (job) => job.lane,
    isBackgroundLane: (lane) => lane.startsWith('batch:'),
  });
  // Batch work arrives first, live sessions' work after it.
  for (const job of [
    { lane: 'batch:a', n: 1 },
    { lane: 'batch:a', n: 2 },
    { lane: 'batch:b', n: 1 },
    { lane: 'live-1', n: 1 },
    { lane: 'live-2', n: 1 },
    { lane: 'live-1', n: 2 },
  ]) {
    assert.equal(queue.offer(job), true);
  }
  const order = queue.shiftMany(16).map((job) => `${job.lane}#${job.n}`);
  assert.deepEqual(order, ['live-1#1', 'live-2#1', 'live-1#2', 'batch:a#1', 'batch:b#1', 'batch:a#2']);
});

test('a live item arriving while batch work waits is served next', () => {
  const queue = new BoundedQueue<Job>({ capacity: 8, overflow: 'refuse', laneOf: (job) => job.lane, isBackgroundLane: (lane) => lane === 'batch' });
  queue.offer({ lane: 'batch', n: 1 });
  queue.offer({ lane: 'batch', n: 2 });
  assert.equal(queue.shift()?.n, 1);
  queue.offer({ lane: 'live', n: 1 });
  assert.deepEqual(queue.shift(), { lane: 'live', n: 1 });
  assert.deepEqual(queue.shift(), { lane: 'batch', n: 2 });
});
