import assert from 'node:assert/strict';
import { test } from 'node:test';
import wavefile from 'wavefile';
import { decodeAudio } from './decode-audio.ts';

/** A 440 Hz tone of `seconds`, as floats in -0.5..0.5. */
function tone(rateHz: number, seconds: number): Float64Array {
  return Float64Array.from({ length: Math.round(rateHz * seconds) }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / rateHz));
}

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length) / 32_768;
}

test('WAV of any rate, channel count and sample format decodes to the same 16 kHz mono tone', async () => {
  const cases: { rate: number; channels: number; depth: string }[] = [
    { rate: 8_000, channels: 1, depth: '8' },
    { rate: 16_000, channels: 1, depth: '16' },
    { rate: 22_050, channels: 2, depth: '24' },
    { rate: 44_100, channels: 2, depth: '32' },
    { rate: 48_000, channels: 1, depth: '32f' },
    { rate: 32_000, channels: 2, depth: '64' },
  ];
  for (const { rate, channels, depth } of cases) {
    const wav = new wavefile.WaveFile();
    const samples = tone(rate, 1);
    // wavefile scales integer depths from floats only through toBitDepth; build at 32f, then convert.
    wav.fromScratch(channels, rate, '32f', channels === 1 ? samples : Array.from({ length: channels }, () => samples));
    if (depth !== '32f') wav.toBitDepth(depth);
    const decoded = await decodeAudio(wav.toBuffer(), 10);
    const label = `${rate} Hz, ${channels} ch, ${depth}`;
    assert.equal(decoded.container, 'wav', label);
    assert.ok(Math.abs(decoded.durationSeconds - 1) < 0.001, `${label}: ${decoded.durationSeconds} s`);
    assert.ok(Math.abs(decoded.samples16k.length - 16_000) <= 2, `${label}: ${decoded.samples16k.length} samples`);
    // A sine of amplitude 0.5 has an RMS of 0.354 whatever its format (8-bit adds the most noise).
    assert.ok(Math.abs(rms(decoded.samples16k) - 0.3536) < 0.01, `${label}: rms ${rms(decoded.samples16k)}`);
  }
});

test('A-law and mu-law WAV decode too', async () => {
  for (const law of ['alaw', 'mulaw'] as const) {
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, 8_000, '16', Int16Array.from(tone(8_000, 1), (v) => Math.round(v * 32_767)));
    if (law === 'alaw') wav.toALaw();
    else wav.toMuLaw();
    const decoded = await decodeAudio(wav.toBuffer(), 10);
    assert.ok(Math.abs(rms(decoded.samples16k) - 0.3536) < 0.02, `${law}: rms ${rms(decoded.samples16k)}`);
  }
});

test('a WAV longer than allowed is refused from its header', async () => {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, 8_000, '16', new Int16Array(8_000 * 3));
  await assert.rejects(decodeAudio(wav.toBuffer(), 2), { code: 'audio_too_long' });
});

test('a streamed WAV whose header says "as long as it goes" (0xFFFFFFFF) is as long as its bytes', async () => {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, 8_000, '16', Int16Array.from(tone(8_000, 1.5), (v) => Math.round(v * 32_767)));
  const bytes = Buffer.from(wav.toBuffer());
  bytes.writeUInt32LE(0xffffffff, 4);
  bytes.writeUInt32LE(0xffffffff - 36, 40);
  const decoded = await decodeAudio(bytes, 2);
  assert.ok(Math.abs(decoded.durationSeconds - 1.5) < 0.01, `${decoded.durationSeconds} s`);
});
