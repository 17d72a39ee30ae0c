import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RecentAudio } from './recent-audio.ts';

test('RecentAudio holds exactly the last `capacity` samples, however they were pushed', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 64 }),
      fc.array(fc.array(fc.integer({ min: -32_768, max: 32_767 }), { maxLength: 100 }), { maxLength: 20 }),
      fc.integer({ min: 0, max: 200 }),
      (capacity, pushes, asked) => {
        const recent = new RecentAudio(capacity);
        for (const p of pushes) recent.push(Int16Array.from(p));
        const all = pushes.flat();
        const expected = all.slice(Math.max(0, all.length - Math.min(asked, capacity)));
        assert.deepEqual(recent.last(asked), Int16Array.from(expected));
      },
    ),
  );
});
