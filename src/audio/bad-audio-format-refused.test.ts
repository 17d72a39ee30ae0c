import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../core/errors.ts';
import { audioFormatError } from './audio-format.ts';
import { createAudioInput } from './audio-input.ts';

test('formats from 8 to 48 kHz, mono or stereo, pcm16 are accepted', () => {
  for (const sampleRateHz of [8_000, 11_025, 16_000, 22_050, 44_100, 48_000]) {
    for (const channels of [1, 2]) {
      assert.equal(audioFormatError({ sampleRateHz, channels, encoding: 'pcm16' }), undefined);
    }
  }
});

test('anything else is refused with bad_audio_format and a message naming the field', () => {
  const cases = [
    { format: { sampleRateHz: 7_999, channels: 1, encoding: 'pcm16' }, field: 'sample rate' },
    { format: { sampleRateHz: 96_000, channels: 1, encoding: 'pcm16' }, field: 'sample rate' },
    { format: { sampleRateHz: 16_000.5, channels: 1, encoding: 'pcm16' }, field: 'sample rate' },
    { format: { sampleRateHz: 16_000, channels: 0, encoding: 'pcm16' }, field: 'channels' },
    { format: { sampleRateHz: 16_000, channels: 6, encoding: 'pcm16' }, field: 'channels' },
    { format: { sampleRateHz: 16_000, channels: 1, encoding: 'f32le' }, field: 'encoding' },
    { format: { sampleRateHz: 16_000, channels: 1, encoding: 'opus' }, field: 'encoding' },
  ];
  for (const { format, field } of cases) {
    const error = audioFormatError(format);
    assert.ok(error instanceof GatewayError, JSON.stringify(format));
    assert.equal(error.code, 'bad_audio_format');
    assert.equal(error.recoverable, true);
    assert.match(error.message, new RegExp(`audio ${field}`));
  }
});

test('createAudioInput rejects a refused format with the same error', async () => {
  await assert.rejects(createAudioInput({ sampleRateHz: 96_000, channels: 1, encoding: 'pcm16' }), (err) => {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.code, 'bad_audio_format');
    return true;
  });
});
