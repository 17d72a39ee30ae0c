import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../config/schema.ts';
import { SileroVad } from '../../engines/silero/silero-vad.ts';
import { FIXTURES_DIR, readWav } from '../../../test/support/wav.ts';
import { createEndpointer, type VadEvent } from './endpointer.ts';

const config = configSchema.parse({});

const vad = await SileroVad.load();
test.after(() => vad.close());

test('speech longer than maxUtteranceMs is cut at the cap, said so, and the rest starts a new utterance', async () => {
  const { samples } = readWav(`${FIXTURES_DIR}jfk.wav`);
  const maxUtteranceMs = 1_000;
  const endpointer = createEndpointer(vad, { ...config.vad, maxUtteranceMs });
  const events: VadEvent[] = [];
  // The first phrase runs from 0.35 s to about 2.2 s without a pause of minSilenceMs.
  for (let i = 0; i < 3 * 16_000; i += 320) events.push(...(await endpointer.push(samples.subarray(i, i + 320))));

  const ends = events.filter((e) => e.type === 'speech_end');
  assert.ok(ends.length >= 2, `${ends.length} speech_end events`);
  const [cut, next] = ends;
  assert.ok(cut && next);
  assert.equal(cut.truncated, true);
  assert.ok(cut.audio.length <= maxUtteranceMs * 16, `${cut.audio.length} samples`);
  assert.ok(cut.audio.length > (maxUtteranceMs - 32) * 16);
  assert.equal(cut.atMs, cut.startMs + cut.audio.length / 16);
  // The continuation picks up exactly where the cut ended: nothing lost, nothing repeated.
  assert.equal(next.startMs, cut.startMs + cut.audio.length / 16);
  assert.deepEqual(
    events.slice(0, 3).map((e) => e.type),
    ['speech_start', 'speech_end', 'speech_start'],
  );
});
