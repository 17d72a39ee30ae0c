import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../config/schema.ts';
import { SileroVad } from '../../engines/silero/silero-vad.ts';
import { FIXTURES_DIR, readWav } from '../../../test/support/wav.ts';
import { createEndpointer, type VadEvent } from './endpointer.ts';

const config = configSchema.parse({});
const options = { ...config.vad, maxUtteranceMs: config.asr.maxUtteranceMs };

const vad = await SileroVad.load();
test.after(() => vad.close());

test('jfk.wav (speech over room tone) splits at its pauses into a few sensible utterances', async () => {
  const { samples } = readWav(`${FIXTURES_DIR}jfk.wav`);
  const endpointer = createEndpointer(vad, options);
  const events: VadEvent[] = [];
  for (let i = 0; i < samples.length; i += 320) events.push(...(await endpointer.push(samples.subarray(i, i + 320))));
  events.push(...endpointer.flush());

  const utterances = events.filter((e) => e.type === 'speech_end');
  // "And so my fellow Americans / ask not what your country can do for you / ask what you can do for your country",
  // with a pause inside the second phrase: 3 to 5 pieces, none of them a click or a run-on.
  assert.ok(utterances.length >= 3 && utterances.length <= 5, `${utterances.length} utterances`);
  for (const u of utterances) {
    const ms = u.audio.length / 16;
    assert.ok(ms > 800 && ms < 5_000, `utterance of ${ms} ms at ${u.startMs} ms`);
  }
  // Starts and ends alternate, in stream order, and utterances never overlap.
  assert.deepEqual(
    events.map((e) => e.type),
    utterances.flatMap(() => ['speech_start', 'speech_end']),
  );
  for (let i = 1; i < utterances.length; i++) {
    const previous = utterances[i - 1]!;
    assert.ok(utterances[i]!.startMs >= previous.startMs + previous.audio.length / 16);
  }
  // The speech starts at about 0.35 s and runs to the end of the file.
  assert.ok(utterances[0]!.startMs < 400);
  assert.equal(utterances.at(-1)!.atMs, 11_000);
});
