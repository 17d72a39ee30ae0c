import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAudio } from '../decode/decode-audio.ts';
import { StreamingMp3Encoder } from './mp3-encoder.ts';

/** A 440 Hz tone, `seconds` long. */
const tone = (rateHz: number, seconds: number) => Int16Array.from({ length: Math.round(rateHz * seconds) }, (_, i) => Math.round(8_000 * Math.sin((2 * Math.PI * 440 * i) / rateHz)));

/** Encodes in phrase-sized pieces, as a streamed answer arrives. */
async function encodeInPieces(rateHz: number, pcm: Int16Array): Promise<{ bytes: Buffer; encodedRateHz: number }> {
  const encoder = await StreamingMp3Encoder.create(rateHz);
  const parts: Buffer[] = [];
  for (let start = 0; start < pcm.length; start += 7_000) parts.push(await encoder.encode(pcm.subarray(start, start + 7_000)));
  parts.push(await encoder.end());
  encoder.close();
  return { bytes: Buffer.concat(parts), encodedRateHz: encoder.rateHz };
}

/** Strength of 440 Hz in the signal (one DFT bin), relative to its energy: near 1 for the pure tone. */
function toneShare(samples: Int16Array, rateHz: number): number {
  let re = 0;
  let im = 0;
  let energy = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    re += v * Math.cos((2 * Math.PI * 440 * i) / rateHz);
    im += v * Math.sin((2 * Math.PI * 440 * i) / rateHz);
    energy += v * v;
  }
  return (2 * (re * re + im * im)) / samples.length / energy;
}

for (const rateHz of [22_050, 24_000, 16_000, 44_000]) {
  test(`${rateHz} Hz speech-rate audio encodes to MP3 that a decoder reads back at the same length and tone`, async () => {
    const { bytes, encodedRateHz } = await encodeInPieces(rateHz, tone(rateHz, 1.5));
    assert.equal(encodedRateHz, rateHz === 44_000 ? 24_000 : rateHz, 'a rate MP3 cannot carry is resampled to 24 kHz');
    assert.equal(bytes[0], 0xff, 'starts with an MPEG frame sync');
    assert.ok(bytes.length < 1.5 * 9_000, `${bytes.length} bytes: about 64 kbit/s`);
    const decoded = await decodeAudio(bytes, 60);
    assert.equal(decoded.container, 'mp3');
    // The decoder's 16 kHz output; MP3 adds under 0.1 s of encoder delay and padding.
    assert.ok(Math.abs(decoded.durationSeconds - 1.5) < 0.1, `${decoded.durationSeconds} s`);
    assert.ok(toneShare(decoded.samples16k, 16_000) > 0.8, 'the 440 Hz tone survives');
  });
}
