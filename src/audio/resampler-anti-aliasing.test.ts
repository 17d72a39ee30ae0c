import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toPcm16Bytes } from '../../test/support/wav.ts';
import { createAudioInput } from './audio-input.ts';

const RATE = 48_000;
const AMPLITUDE = 10_000;

const rms = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((sum, v) => sum + v * v, 0) / x.length);
const db = (ratio: number) => 20 * Math.log10(ratio);

async function resample(samples: Int16Array): Promise<Int16Array> {
  const input = await createAudioInput({ sampleRateHz: RATE, channels: 1, encoding: 'pcm16' });
  const bytes = toPcm16Bytes(samples);
  const parts: Int16Array[] = [];
  // 20 ms messages, as a browser client sends them.
  for (let offset = 0; offset < bytes.length; offset += 1_920) parts.push(input.push(bytes.subarray(offset, offset + 1_920)));
  parts.push(input.flush());
  input.close();
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, p) => (out.set(p, offset), offset + p.length), 0);
  return out;
}

function tone(frequencyHz: number, seconds: number): Int16Array {
  return Int16Array.from({ length: RATE * seconds }, (_, i) => Math.round(AMPLITUDE * Math.sin((2 * Math.PI * frequencyHz * i) / RATE)));
}

test('a 1 kHz tone passes at 0 dB', async () => {
  const input = tone(1_000, 1);
  const out = await resample(input);
  // Skip the filter's edges at the start and end.
  const gain = db(rms(out.subarray(800, -800)) / rms(input));
  assert.ok(Math.abs(gain) < 0.1, `${gain.toFixed(3)} dB`);
});

test('a 12 kHz tone, which would fold back to 4 kHz, is at least 40 dB down', async () => {
  const input = tone(12_000, 1);
  const out = await resample(input);
  // An output of all zeros is the ideal answer; count it as one LSB of noise so the ratio stays finite.
  const attenuation = db(Math.max(rms(out), 1) / rms(input));
  assert.ok(attenuation < -40, `${attenuation.toFixed(1)} dB`);
});

test('a 20 Hz - 22 kHz log sweep: the part above 8.5 kHz leaves no aliases, the speech band passes', async () => {
  const seconds = 2;
  const [f0, f1] = [20, 22_000];
  const k = Math.log(f1 / f0) / seconds;
  const input = Int16Array.from({ length: RATE * seconds }, (_, i) => {
    const t = i / RATE;
    return Math.round(AMPLITUDE * Math.sin(((2 * Math.PI * f0) / k) * (Math.exp(k * t) - 1)));
  });
  const out = await resample(input);
  assert.equal(out.length, 16_000 * seconds);

  const timeAt = (frequencyHz: number) => Math.log(frequencyHz / f0) / k;
  const outRange = (fromHz: number, toHz: number) => out.subarray(Math.round(timeAt(fromHz) * 16_000), Math.round(timeAt(toHz) * 16_000));
  const inputRms = AMPLITUDE / Math.SQRT2;

  const passband = db(rms(outRange(100, 6_000)) / inputRms);
  assert.ok(Math.abs(passband) < 0.5, `100 Hz - 6 kHz at ${passband.toFixed(2)} dB`);

  // Anything here is input above 8.5 kHz folded back into 0-8 kHz.
  const aliases = db(Math.max(rms(outRange(8_500, 21_000)), 1) / inputRms);
  assert.ok(aliases < -40, `8.5 - 21 kHz left ${aliases.toFixed(1)} dB`);
});
