import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIXTURES_DIR, readWav } from '../../test/support/wav.ts';
import { lastSpeechFrame } from './speech-end.ts';

function tone(ms: number, amplitude: number): Int16Array {
  return Int16Array.from({ length: ms * 16 }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * 220 * i) / 16_000)));
}

test('speech, a quiet tail far below it, then silence: speech ends with the last loud 20 ms frame', () => {
  const samples = new Int16Array(16 * 1_000);
  samples.set(tone(600, 10_000), 0);
  samples.set(tone(200, 50), 16 * 600);
  assert.equal(lastSpeechFrame(samples, 320), 600 / 20 - 1);
});

test('digital silence has no speech in it', () => {
  assert.equal(lastSpeechFrame(new Int16Array(16_000), 320), -1);
});

test('the benchmark utterance stops speaking before the file ends, so the client knows when speech was sent', () => {
  const { samples } = readWav(`${FIXTURES_DIR}order-status-en-16k.wav`);
  const endMs = (lastSpeechFrame(samples, 320) + 1) * 20;
  const fileMs = samples.length / 16;
  assert.ok(endMs > 2_000 && endMs < fileMs, `${endMs} of ${fileMs}`);
});
