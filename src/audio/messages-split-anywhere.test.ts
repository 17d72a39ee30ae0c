import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toPcm16Bytes } from '../../test/support/wav.ts';
import { createAudioInput, type AudioInput } from './audio-input.ts';

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Pushes `bytes` cut at `cuts` (byte offsets), then flushes. */
function pushInPieces(input: AudioInput, bytes: Uint8Array, cuts: number[]): Int16Array {
  const edges = [0, ...[...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length];
  const parts = edges.slice(1).map((end, i) => input.push(bytes.slice(edges[i], end)));
  parts.push(input.flush());
  return concat(parts);
}

test('16 kHz mono passes through untouched, even one byte at a time', async () => {
  const samples = Int16Array.from({ length: 999 }, (_, i) => ((i * 7919) % 65_536) - 32_768);
  const bytes = toPcm16Bytes(samples);
  const input = await createAudioInput({ sampleRateHz: 16_000, channels: 1, encoding: 'pcm16' });
  const out = pushInPieces(input, bytes, Array.from({ length: bytes.length }, (_, i) => i));
  assert.deepEqual(out, samples);
});

test('a stereo frame split between its channels, or inside a sample, is completed by the next message', async () => {
  const input = await createAudioInput({ sampleRateHz: 16_000, channels: 2, encoding: 'pcm16' });
  const bytes = toPcm16Bytes(Int16Array.of(1000, 3000, -200, -400, 32_767, 32_767));
  assert.deepEqual(input.push(bytes.subarray(0, 3)), new Int16Array(0)); // left channel and half of the right
  assert.deepEqual(input.push(bytes.subarray(3, 6)), Int16Array.of(2000)); // rest of frame 1, left half of frame 2
  assert.deepEqual(input.push(bytes.subarray(6, 7)), new Int16Array(0));
  assert.deepEqual(input.push(bytes.subarray(7)), Int16Array.of(-300, 32_767));
});

test('how the bytes are cut into messages never changes the output', async () => {
  const formats = fc.record({
    sample_rate: fc.constantFrom(8_000, 11_025, 16_000, 22_050, 24_000, 44_100, 48_000),
    channels: fc.constantFrom(1, 2),
  });
  await fc.assert(
    fc.asyncProperty(
      formats,
      fc.integer({ min: 1, max: 4_000 }),
      fc.array(fc.nat(), { maxLength: 40 }),
      fc.integer(),
      async ({ sample_rate, channels }, frames, rawCuts, seed) => {
        // A tone plus pseudo-random noise: something the filter has to work on.
        const samples = Int16Array.from({ length: frames * channels }, (_, i) =>
          Math.round(8_000 * Math.sin((i * 0.07) / channels) + ((((i + seed) * 2_654_435_761) >>> 0) % 4_001) - 2_000),
        );
        const bytes = toPcm16Bytes(samples);
        const format = { sampleRateHz: sample_rate, channels, encoding: 'pcm16' };
        const whole = await createAudioInput(format);
        const pieces = await createAudioInput(format);
        try {
          const expected = pushInPieces(whole, bytes, []);
          const actual = pushInPieces(pieces, bytes, rawCuts.map((c) => c % (bytes.length + 1)));
          assert.deepEqual(actual, expected);
          assert.equal(expected.length, Math.round((frames * 16_000) / sample_rate));
        } finally {
          whole.close();
          pieces.close();
        }
      },
    ),
    { numRuns: 40 },
  );
});
