import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { alawFromPcm16, pcm16FromAlaw, pcm16FromUlaw, ulawFromPcm16 } from './g711.ts';

// Known points of the ITU-T G.711 tables (as in the reference implementation g711.c).
test('μ-law and A-law give the standard codes at known points', () => {
  assert.equal(ulawFromPcm16(0), 0xff);
  assert.equal(ulawFromPcm16(-1), 0x7f);
  assert.equal(ulawFromPcm16(32_767), 0x80);
  assert.equal(ulawFromPcm16(-32_768), 0x00);
  assert.equal(pcm16FromUlaw(0x80), 32_124);
  assert.equal(pcm16FromUlaw(0x00), -32_124);
  assert.equal(pcm16FromUlaw(0xff), 0);
  assert.equal(alawFromPcm16(0), 0xd5);
  assert.equal(alawFromPcm16(-1), 0x55);
  assert.equal(pcm16FromAlaw(0xd5), 8);
  assert.equal(pcm16FromAlaw(0xaa), 32_256);
  assert.equal(pcm16FromAlaw(0x2a), -32_256);
});

test('every code decodes and encodes back to itself', () => {
  for (let code = 0; code < 256; code++) {
    // μ-law has two zeros (0x7f and 0xff); both decode to 0, which encodes as 0xff.
    if (code !== 0x7f) assert.equal(ulawFromPcm16(pcm16FromUlaw(code)), code, `μ-law ${code}`);
    assert.equal(alawFromPcm16(pcm16FromAlaw(code)), code, `A-law ${code}`);
  }
});

test('a round trip stays within one quantisation step, which grows with the magnitude', () => {
  fc.assert(
    fc.property(fc.integer({ min: -32_768, max: 32_767 }), (sample) => {
      const step = Math.max(16, 2 ** Math.ceil(Math.log2(Math.abs(sample) + 1)) / 16);
      assert.ok(Math.abs(pcm16FromUlaw(ulawFromPcm16(sample)) - sample) <= step, `μ-law ${sample}`);
      assert.ok(Math.abs(pcm16FromAlaw(alawFromPcm16(sample)) - sample) <= step, `A-law ${sample}`);
    }),
  );
});
