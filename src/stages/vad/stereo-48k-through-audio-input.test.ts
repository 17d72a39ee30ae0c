import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAudioInput } from '../../audio/audio-input.ts';
import { configSchema } from '../../config/schema.ts';
import { SileroVad } from '../../engines/silero/silero-vad.ts';
import { FIXTURES_DIR, readWav, toPcm16Bytes } from '../../../test/support/wav.ts';
import { createEndpointer, type VadEvent } from './endpointer.ts';

const config = configSchema.parse({});
const options = { ...config.vad, maxUtteranceMs: config.asr.maxUtteranceMs };

const vad = await SileroVad.load();
test.after(() => vad.close());

test('48 kHz stereo client audio, resampled and endpointed as it arrives, is one utterance', async () => {
  const wav = readWav(`${FIXTURES_DIR}order-status-en-48k-stereo.wav`);
  const input = await createAudioInput({ sampleRateHz: 48_000, channels: 2, encoding: 'pcm16' });
  const endpointer = createEndpointer(vad, options);
  // The speech, then a second of silence, in 20 ms messages (3 840 bytes at 48 kHz stereo).
  const bytes = toPcm16Bytes(wav.samples);
  const message = 3_840;
  const stream = new Uint8Array(bytes.length + 50 * message);
  stream.set(bytes);
  const events: VadEvent[] = [];
  for (let offset = 0; offset < stream.length; offset += message) {
    events.push(...(await endpointer.push(input.push(stream.subarray(offset, offset + message)))));
  }
  input.close();

  assert.deepEqual(
    events.map((e) => e.type),
    ['speech_start', 'speech_end'],
  );
  const end = events[1]!;
  assert.ok(end.type === 'speech_end' && !end.truncated);
  // "What is the status of order one two three four?" is about 2.7 s of the 2.85 s file.
  assert.ok(end.audio.length / 16 > 2_400, `${end.audio.length / 16} ms`);
});
