import assert from 'node:assert/strict';
import { test } from 'node:test';
import { until } from '../../test/support/until.ts';
import { Slot } from './slot.ts';

test('a dependency whose load fails is loaded again with backoff until it succeeds, and is ready after', async () => {
  const slot = new Slot<string>('voice test', { minMs: 10, maxMs: 40 });
  let calls = 0;
  await slot.load('test.onnx', async () => {
    calls += 1;
    if (calls < 4) throw new Error(`model server not up yet (${calls})`);
    return 'loaded';
  });
  assert.equal(slot.status.state, 'failed', 'the first attempt failed and says so at once');
  assert.equal(slot.status.attempts, 1);
  assert.throws(() => slot.get(), { code: 'model_not_ready' });
  await until('the slot to be ready', () => slot.ready, 10_000);
  assert.equal(calls, 4);
  assert.equal(slot.get(), 'loaded');
  assert.equal(slot.status.error, undefined, 'the old failure is forgotten');
  await slot.close(async () => {});
});

test('closing a slot stops its retries', async () => {
  const slot = new Slot<string>('vad', { minMs: 10, maxMs: 10 });
  let calls = 0;
  await slot.load('silero', async () => {
    calls += 1;
    throw new Error('broken file');
  });
  await slot.close(async () => {});
  const after = calls;
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(calls, after, 'no attempt after close');
});
