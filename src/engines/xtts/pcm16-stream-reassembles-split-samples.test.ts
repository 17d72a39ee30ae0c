import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pcm16Chunks } from './pcm16-stream.ts';

async function* pieces(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    // A subarray of a larger buffer, as the network hands them over: odd offsets included.
    yield bytes.subarray(start, Math.max(start, cut));
    start = Math.max(start, cut);
  }
}

async function collect(chunks: AsyncIterable<Int16Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of chunks) out.push(...chunk);
  return out;
}

test('samples come out whole and in order however the byte stream is cut', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 300 }),
      fc.array(fc.nat({ max: 600 }), { maxLength: 40 }),
      async (samples, rawCuts) => {
        const bytes = new Uint8Array(Int16Array.from(samples).buffer);
        const cuts = rawCuts.map((cut) => Math.min(cut, bytes.length)).sort((a, b) => a - b);
        assert.deepEqual(await collect(pcm16Chunks(pieces(bytes, cuts))), samples);
      },
    ),
  );
});

test('a sample whose two bytes arrive in different pieces is rebuilt exactly', async () => {
  const bytes = new Uint8Array(Int16Array.of(0x1234, -2, 0x7fff).buffer);
  assert.deepEqual(await collect(pcm16Chunks(pieces(bytes, [1, 2, 5]))), [0x1234, -2, 0x7fff]);
});

test('a lone trailing byte from a stream cut short is dropped', async () => {
  const bytes = Uint8Array.of(0x01, 0x00, 0x7f);
  assert.deepEqual(await collect(pcm16Chunks(pieces(bytes, [3]))), [1]);
});
