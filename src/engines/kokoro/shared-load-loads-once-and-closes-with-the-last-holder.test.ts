import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharedLoad } from './shared-load.ts';

function counter() {
  const state = { loads: 0, closes: 0, fail: false };
  const shared = new SharedLoad(async (label: string) => {
    state.loads++;
    if (state.fail) throw new Error(`load failed (${label})`);
    return { label, close: async () => void state.closes++ };
  });
  return { state, shared };
}

test('many holders share one load, made with the first holder\'s context; the last release closes it', async () => {
  const { state, shared } = counter();
  const [a, b] = await Promise.all([shared.acquire('first'), shared.acquire('second')]);
  assert.equal(state.loads, 1);
  assert.equal(a.value, b.value);
  assert.equal(a.value.label, 'first');
  await a.release();
  await a.release();
  assert.equal(state.closes, 0, 'a second release of one hold changes nothing');
  await b.release();
  assert.equal(state.closes, 1);
  await shared.acquire('again');
  assert.equal(state.loads, 2, 'after the last release, the next holder loads anew');
});

test('a failed load fails every holder waiting on it, and the next acquire tries again', async () => {
  const { state, shared } = counter();
  state.fail = true;
  const results = await Promise.allSettled([shared.acquire('x'), shared.acquire('y')]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  state.fail = false;
  const held = await shared.acquire('z');
  assert.equal(held.value.label, 'z');
  assert.equal(state.loads, 2);
});
