import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIXTURES_DIR, readWav, toPcm16Bytes } from '../../test/support/wav.ts';
import { createAudioInput } from './audio-input.ts';

const rms = (x: Int16Array) => Math.sqrt(x.reduce((sum, v) => sum + v * v, 0) / x.length);

test('the 48 kHz stereo fixture, sent in odd-sized messages, comes out as long and as loud as the 16 kHz one', async () => {
  const stereo48k = readWav(`${FIXTURES_DIR}order-status-en-48k-stereo.wav`);
  const mono16k = readWav(`${FIXTURES_DIR}order-status-en-16k.wav`);
  assert.equal(stereo48k.sampleRateHz, 48_000);
  assert.equal(stereo48k.channels, 2);

  const input = await createAudioInput({ sampleRateHz: 48_000, channels: 2, encoding: 'pcm16' });
  const bytes = toPcm16Bytes(stereo48k.samples);
  const parts: Int16Array[] = [];
  // Deterministic "random" odd sizes from 1 to 4095 bytes: samples and frames get split everywhere.
  let state = 12_345;
  for (let offset = 0; offset < bytes.length; ) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const size = (state % 2_048) * 2 + 1;
    parts.push(input.push(bytes.subarray(offset, offset + size)));
    offset += size;
  }
  parts.push(input.flush());
  input.close();
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, p) => (out.set(p, offset), offset + p.length), 0);

  const durationMs = (out.length / 16_000) * 1000;
  const expectedMs = (mono16k.samples.length / 16_000) * 1000;
  assert.ok(Math.abs(durationMs - expectedMs) < 1, `${durationMs} ms vs ${expectedMs} ms`);

  const levelDb = 20 * Math.log10(rms(out) / rms(mono16k.samples));
  assert.ok(Math.abs(levelDb) < 0.1, `level off by ${levelDb.toFixed(3)} dB`);

  // Time-aligned too: the difference from the 16 kHz rendering is small next to the signal (under -20 dB).
  const diff = Int16Array.from(out.subarray(0, mono16k.samples.length), (v, i) => v - mono16k.samples[i]!);
  assert.ok(rms(diff) < rms(mono16k.samples) / 10, `difference RMS ${rms(diff).toFixed(1)}`);
});
