import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BoundedQueue } from './bounded-queue.ts';

/** The turn's use: the LLM side pushes phrases as they come, the speaker reads them, the end closes the queue. */
const live = (): AbortSignal => new AbortController().signal;
const phraseQueue = (capacity = 4) => new BoundedQueue<string>({ capacity, overflow: 'block' });

async function readAll(queue: BoundedQueue<string>, signal: AbortSignal): Promise<string[]> {
  const read: string[] = [];
  for await (const phrase of queue.items(signal)) read.push(phrase);
  return read;
}

test('the reader gets phrases pushed before and while it waits, in order, and ends once closed and empty', async () => {
  const queue = phraseQueue();
  await queue.push('Hello.', live());
  const reading = readAll(queue, live());
  await queue.push('How are you?', live());
  await new Promise((resolve) => setImmediate(resolve));
  await queue.push('Bye.', live());
  queue.close();
  assert.deepEqual(await reading, ['Hello.', 'How are you?', 'Bye.']);
});

test('an interrupt stops a reader waiting for the next phrase at once', async () => {
  const queue = phraseQueue();
  const controller = new AbortController();
  const reading = readAll(queue, controller.signal);
  await new Promise((resolve) => setImmediate(resolve));
  controller.abort();
  await assert.rejects(reading, { name: 'AbortError' });
});

test('an interrupt stops a writer waiting for room, and its phrase never comes out', async () => {
  const queue = phraseQueue(1);
  const controller = new AbortController();
  await queue.push('one', controller.signal);
  const blocked = queue.push('two', controller.signal);
  controller.abort();
  await assert.rejects(blocked, { name: 'AbortError' });
  queue.close();
  assert.deepEqual(await readAll(queue, live()), ['one']);
});

test('whatever the capacity and pace, the reader gets exactly what was written and the queue never holds more than its size', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.boolean()), { maxLength: 30 }),
      async (capacity, writes) => {
        const queue = phraseQueue(capacity);
        let largest = 0;
        const signal = new AbortController().signal;
        const reading = (async () => {
          const read: string[] = [];
          for await (const phrase of queue.items(signal)) {
            read.push(phrase);
            // A slow reader now and then: the writer has to wait for room.
            if (read.length % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
          }
          return read;
        })();
        for (const [phrase, yieldFirst] of writes) {
          if (yieldFirst) await Promise.resolve();
          await queue.push(phrase, signal);
          largest = Math.max(largest, queue.size);
        }
        queue.close();
        assert.deepEqual(await reading, writes.map(([phrase]) => phrase));
        assert.ok(largest <= capacity);
      },
    ),
  );
});
