import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { percentile, summarize } from './stats.ts';

test('nearest rank: p50 of 1..10 is 5, p95 and p99 are 10, p0 is the smallest', () => {
  const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(percentile(sorted, 0.5), 5);
  assert.equal(percentile(sorted, 0.95), 10);
  assert.equal(percentile(sorted, 0.99), 10);
  assert.equal(percentile(sorted, 0), 1);
});

test('a percentile is a measured value with at least q of the samples at or below it, and rises with q', () => {
  fc.assert(
    fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 200 }), fc.double({ min: 0, max: 1, noNaN: true }), (values, q) => {
      const sorted = [...values].sort((a, b) => a - b);
      const p = percentile(sorted, q);
      assert.ok(sorted.includes(p));
      assert.ok(sorted.filter((v) => v <= p).length >= q * sorted.length);
      assert.ok(percentile(sorted, Math.min(1, q + 0.1)) >= p);
    }),
  );
});

test('summarize sorts its input, ignores non-finite samples and says NaN when nothing was measured', () => {
  const s = summarize([30, 10, Number.NaN, 20, Number.POSITIVE_INFINITY]);
  assert.deepEqual(s, { count: 3, p50: 20, p95: 30, p99: 30, mean: 20, max: 30 });
  assert.ok(Number.isNaN(summarize([]).p95));
});
