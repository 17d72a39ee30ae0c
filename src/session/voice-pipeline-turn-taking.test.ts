import assert from 'node:assert/strict';
import { test } from 'node:test';
import { feed, settle, silence, startPipeline, tone } from '../../test/support/voice-pipeline-fakes.ts';
import type { SessionEvent } from './events.ts';

const pipeline = (speaking: () => boolean) => startPipeline({ speaking });

test('speech then silence: speech_started, speech_stopped, the final transcript, then a voice turn with its VAD and ASR times', async () => {
  const { input, events, turns } = await pipeline(() => false);
  await feed(input, silence(200));
  await feed(input, tone(600));
  await feed(input, silence(400));
  assert.deepEqual(events.map((e) => e.type), ['speech_started', 'speech_stopped', 'transcript_final']);
  const turn = turns[0];
  assert.ok(turn);
  assert.equal(turn.source, 'voice');
  assert.equal(turn.id, (events[2] as Extract<SessionEvent, { type: 'transcript_final' }>).turnId);
  assert.equal(typeof turn.timings?.vadEndpointMs, 'number');
  assert.equal(typeof turn.timings?.asrMs, 'number');
  input.close();
});

test('barge-in: speech lasting bargeInMinSpeechMs while the assistant speaks interrupts it once; a shorter burst does not', async () => {
  const short = await pipeline(() => true);
  await feed(short.input, tone(200));
  await feed(short.input, silence(400));
  assert.equal(short.bargeIns(), 0);
  short.input.close();

  const long = await pipeline(() => true);
  await feed(long.input, tone(250));
  assert.equal(long.bargeIns(), 0, 'not before 300 ms of speech');
  await feed(long.input, tone(500));
  assert.equal(long.bargeIns(), 1);
  long.input.close();
});

test('push-to-talk with nothing said: audio end answers with an empty final transcript and starts no turn', async () => {
  const { input, events, turns } = await pipeline(() => false);
  await feed(input, silence(300));
  input.end();
  await settle();
  assert.deepEqual(events.map((e) => e.type), ['transcript_final']);
  assert.equal((events[0] as Extract<SessionEvent, { type: 'transcript_final' }>).text, '');
  assert.equal(turns.length, 0);
  input.close();
});
