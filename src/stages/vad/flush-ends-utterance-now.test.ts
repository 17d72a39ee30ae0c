import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../../config/schema.ts';
import { SileroVad } from '../../engines/silero/silero-vad.ts';
import { FIXTURES_DIR, readWav } from '../../../test/support/wav.ts';
import { createEndpointer, type VadEvent } from './endpointer.ts';

const config = configSchema.parse({});
const options = { ...config.vad, maxUtteranceMs: config.asr.maxUtteranceMs };
const jfk = readWav(`${FIXTURES_DIR}jfk.wav`).samples;

const vad = await SileroVad.load();
test.after(() => vad.close());

test('push-to-talk audio_end mid-speech: flush() ends the utterance at once, with every sample received', async () => {
  const endpointer = createEndpointer(vad, options);
  // 1.5 s of jfk.wav is in the middle of "And so my fellow Americans"; 1 000 samples is not a whole frame.
  const received = jfk.subarray(0, 24_000 + 1_000);
  const events = await endpointer.push(received);
  assert.deepEqual(events.map((e) => e.type), ['speech_start']);
  assert.ok(endpointer.speechMs >= options.minSpeechMs, `speechMs ${endpointer.speechMs}`);
  const partial = endpointer.currentUtterance();
  assert.ok(partial && partial.length > 16_000);

  const [end, ...rest] = endpointer.flush();
  assert.deepEqual(rest, []);
  assert.ok(end?.type === 'speech_end');
  assert.equal(end.truncated, false);
  assert.equal(end.atMs, received.length / 16);
  assert.deepEqual(end.audio, received.subarray(end.startMs * 16));

  assert.equal(endpointer.currentUtterance(), undefined);
  assert.equal(endpointer.speechMs, 0);
  assert.deepEqual(endpointer.flush(), [], 'nothing left to end');
});

test('flush() during a candidate not yet minSpeechMs long still reports it: the user pressed to be heard', async () => {
  const endpointer = createEndpointer(vad, { ...options, minSpeechMs: 1_000 });
  const events: VadEvent[] = await endpointer.push(jfk.subarray(0, 8_000)); // speech from 0.35 s to 0.5 s
  assert.deepEqual(events, []);
  assert.ok(endpointer.speechMs > 0);
  assert.deepEqual(
    endpointer.flush().map((e) => e.type),
    ['speech_start', 'speech_end'],
  );
});

test('flush() with nothing heard returns nothing, and the stream position goes on', async () => {
  const endpointer = createEndpointer(vad, options);
  assert.deepEqual(await endpointer.push(new Int16Array(8_000)), []);
  assert.deepEqual(endpointer.flush(), []);
  const events = await endpointer.push(jfk.subarray(0, 32_000));
  const start = events.find((e) => e.type === 'speech_start');
  assert.ok(start && start.onsetMs >= 500 + 300, `onset ${start?.onsetMs} ms counts the 500 ms before`);
});

test('a push while another runs, or a flush during a push, is refused', async () => {
  const endpointer = createEndpointer(vad, options);
  const running = endpointer.push(jfk.subarray(0, 16_000));
  await assert.rejects(endpointer.push(jfk.subarray(0, 512)), /still running/);
  assert.throws(() => endpointer.flush(), /still running/);
  await running;
});

test('an aborted push stops between frames', async () => {
  const endpointer = createEndpointer(vad, options);
  await assert.rejects(endpointer.push(jfk.subarray(0, 16_000), AbortSignal.abort()), { name: 'AbortError' });
  // The endpointer is still usable.
  assert.ok((await endpointer.push(jfk.subarray(0, 16_000))).length > 0);
});
