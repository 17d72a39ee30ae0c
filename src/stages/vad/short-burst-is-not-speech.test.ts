import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../config/schema.ts';
import { SileroVad } from '../../engines/silero/silero-vad.ts';
import { FIXTURES_DIR, readWav } from '../../../test/support/wav.ts';
import { createEndpointer, type VadEvent } from './endpointer.ts';

const config = configSchema.parse({});
const options = { ...config.vad, minSpeechMs: 250, maxUtteranceMs: config.asr.maxUtteranceMs };

const vad = await SileroVad.load();
test.after(() => vad.close());

/** One second of silence with a 100 ms burst at 300 ms. */
function withBurst(burst: (i: number) => number): Int16Array {
  const samples = new Int16Array(16_000);
  for (let i = 0; i < 1_600; i++) samples[4_800 + i] = burst(i);
  return samples;
}

async function eventsOf(samples: Int16Array, minSpeechMs: number): Promise<VadEvent[]> {
  const endpointer = createEndpointer(vad, { ...options, minSpeechMs });
  const events: VadEvent[] = [];
  for (let i = 0; i < samples.length; i += 320) events.push(...(await endpointer.push(samples.subarray(i, i + 320))));
  return events;
}

test('a 100 ms burst of generated noise is not an utterance', async () => {
  let seed = 7;
  const noise = withBurst(() => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return (seed % 32_001) - 16_000;
  });
  assert.deepEqual(await eventsOf(noise, 250), []);
});

test('a 100 ms burst of real speech, which Silero does flag, is held back by minSpeechMs 250', async () => {
  const jfk = readWav(`${FIXTURES_DIR}jfk.wav`).samples;
  // 400-500 ms of jfk.wav: the loudest part of "And".
  const burst = withBurst((i) => jfk[6_400 + i]!);
  assert.deepEqual(await eventsOf(burst, 250), []);
  // The same burst does make an utterance when any speech counts: the burst is what minSpeechMs filtered out.
  assert.deepEqual(
    (await eventsOf(burst, 0)).map((e) => e.type),
    ['speech_start', 'speech_end'],
  );
});
