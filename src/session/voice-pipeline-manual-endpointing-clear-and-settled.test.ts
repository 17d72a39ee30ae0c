import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countingTranscriber, feed, PIPELINE_SETTINGS, settle, silence, startPipeline, tone } from '../../test/support/voice-pipeline-fakes.ts';
import { DEFAULT_TURN_TAKING, type TurnTaking } from './events.ts';

// Partials off, and a transcriber slow enough that a test can ask what is still in flight.
const pipeline = (turnTaking: TurnTaking) =>
  startPipeline({ turnTaking, transcriber: countingTranscriber(150), settings: { ...PIPELINE_SETTINGS, partialIntervalMs: 60_000 } });

test('manual endpointing: a long silence ends nothing; audio end does', async () => {
  const { input, events, turns } = await pipeline({ ...DEFAULT_TURN_TAKING, endpointing: 'manual' });
  await feed(input, tone(400));
  await feed(input, silence(1_000));
  assert.deepEqual(events.map((e) => e.type), ['speech_started']);
  input.end();
  await input.settled();
  assert.deepEqual(events.map((e) => e.type), ['speech_started', 'speech_stopped', 'transcript_final']);
  assert.equal(turns.length, 1);
  input.close();
});

test('a session\'s VAD settings stand over the gateway\'s: a longer silence window keeps one utterance across a pause', async () => {
  const { input, events } = await pipeline({ ...DEFAULT_TURN_TAKING, vad: { minSilenceMs: 800 } });
  await feed(input, tone(300));
  await feed(input, silence(400));
  await feed(input, tone(300));
  await feed(input, silence(1_000));
  await input.settled();
  assert.deepEqual(events.map((e) => e.type), ['speech_started', 'speech_stopped', 'transcript_final']);
  input.close();
});

test('settled waits for utterances still being transcribed', async () => {
  const { input, events } = await pipeline(DEFAULT_TURN_TAKING);
  await feed(input, tone(300));
  await feed(input, silence(300));
  assert.ok(events.some((e) => e.type === 'speech_stopped'));
  assert.ok(!events.some((e) => e.type === 'transcript_final'), 'the transcriber is still working');
  await input.settled();
  assert.ok(events.some((e) => e.type === 'transcript_final'));
  input.close();
});

test('clear drops the utterance in progress; speech positions keep counting the session\'s audio across it', async () => {
  const { input, events, turns } = await pipeline(DEFAULT_TURN_TAKING);
  await feed(input, silence(200));
  await feed(input, tone(300));
  input.clear();
  await settle();
  await feed(input, silence(500));
  assert.equal(turns.length, 0, 'nothing of the cleared speech is transcribed');
  await feed(input, tone(300));
  await feed(input, silence(400));
  await input.settled();
  const starts = events.filter((e) => e.type === 'speech_started');
  assert.equal(starts.length, 2);
  // The second speech began after 200 + 300 + 500 ms of audio, whatever the clear reset inside.
  assert.ok((starts[1]!.audioMs ?? 0) >= 950, JSON.stringify(starts));
  assert.equal(turns.length, 1);
  input.close();
});
