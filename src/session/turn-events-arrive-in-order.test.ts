import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeSession, tokens } from '../../test/support/session-fakes.ts';

test('a text turn: started, answer deltas, audio between audio_started and audio_ended, then turn_ended with timings', async () => {
  const { session, sink, agent } = fakeSession();
  await session.start({ lang: 'en' });
  const started = sink.events('started')[0];
  assert.ok(started);
  assert.equal(started.lang, 'en');
  assert.equal(started.audioOut.sampleRateHz, 16_000);

  session.text('Hi');
  const end = await sink.next('turn_ended');
  assert.equal(end.outcome, 'completed');
  const types = sink.log.map((entry) => (entry.kind === 'audio' ? 'audio' : entry.event.type));
  const audioStarted = types.indexOf('audio_started');
  const audioEnded = types.indexOf('audio_ended');
  assert.ok(audioStarted > types.indexOf('started'));
  assert.ok(types.indexOf('answer_delta') < audioStarted, 'the first tokens come before the first audio');
  assert.ok(types.slice(audioStarted + 1, audioEnded).includes('audio'));
  assert.equal(types.lastIndexOf('audio') < audioEnded, true, 'no audio after audio_ended');
  assert.equal(types.at(-1), 'turn_ended');
  assert.equal(sink.events('answer_delta').map((e) => e.text).join(''), 'Hello there. How are you?');
  // 25 characters of speech at 160 samples each, in frames of at most 100 ms (1,600 samples).
  assert.equal(sink.audioSamples(end.turnId), 25 * 160 - 160);
  for (const entry of sink.log) if (entry.kind === 'audio') assert.ok(entry.samples <= 1_600);
  for (const key of ['llmFirstTokenMs', 'llmFirstPhraseMs', 'llmTotalMs', 'firstAudioMs', 'ttsFirstPhraseMs', 'totalMs'] as const) {
    assert.equal(typeof end.timings[key], 'number', key);
  }
  assert.equal(end.timings.voiceToVoiceMs, undefined, 'a typed turn has no voice-to-voice time');
  assert.equal(agent.turns[0]?.threadId, started.sessionId);
  await session.end();
});

test('a tool call reaches the sink between the tokens', async () => {
  const { session, sink, agent } = fakeSession();
  agent.script = { events: [{ type: 'tool_call', name: 'current_time', args: { tz: 'UTC' } }, ...tokens('It is noon.')] };
  await session.start({});
  session.text('What time is it?');
  await sink.next('turn_ended');
  const call = sink.events('tool_call')[0];
  assert.deepEqual(call && { name: call.name, args: call.args }, { name: 'current_time', args: { tz: 'UTC' } });
  await session.end();
});

test('a new input interrupts the running turn, which ends first; the next turn waits for its memory update', async () => {
  const { session, sink, agent } = fakeSession();
  agent.script = { events: tokens('One. Two. Three. Four. Five. Six.'), tokenDelayMs: 20 };
  await session.start({});
  session.text('Count');
  await sink.next('answer_delta');
  agent.script = { events: tokens('Fine.') };
  session.text('Stop counting');
  const [first, second] = [await sink.next('turn_ended'), await sink.next('turn_ended', 1)];
  assert.equal(first.outcome, 'interrupted');
  assert.equal(second.outcome, 'completed');
  assert.equal(agent.signals[0]?.aborted, true, 'the first agent stream was aborted');
  assert.equal(agent.truncations.length, 1, 'memory was cut to what was heard before the next turn ran');
  await session.end();
});

test('an agent failure ends the turn with a coded error naming it; the session goes on', async () => {
  const { session, sink, agent } = fakeSession();
  await session.start({});
  agent.script = { fail: new Error('graph exploded') };
  session.text('Hello');
  const end = await sink.next('turn_ended');
  const error = sink.events('error')[0];
  assert.equal(end.outcome, 'failed');
  assert.equal(error?.turnId, end.turnId);
  assert.equal(error?.error.code, 'internal');
  assert.equal(error?.error.recoverable, true);
  agent.script = { events: tokens('Better now.') };
  session.text('Again');
  assert.equal((await sink.next('turn_ended', 1)).outcome, 'completed');
  await session.end();
});
