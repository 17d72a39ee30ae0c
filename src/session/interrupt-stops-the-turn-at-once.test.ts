import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeSession, sleep, tokens } from '../../test/support/session-fakes.ts';

const LONG = Array.from({ length: 20 }, (_, i) => `Sentence ${i + 1} is here.`).join(' ');

test('interrupt ends the turn at once: turn_ended interrupted, nothing of the turn after it, agent and synthesis aborted', async () => {
  const { session, sink, agent, voice } = fakeSession();
  agent.script = { events: tokens(LONG), tokenDelayMs: 5 };
  voice.delayMs = 5;
  await session.start({});
  session.text('Talk');
  await sink.next('audio_started');
  while (sink.audioSamples() === 0) await sleep(2);
  session.interrupt();
  const endIndex = sink.log.length - 1;
  const last = sink.log[endIndex];
  assert.ok(last?.kind === 'event' && last.event.type === 'turn_ended' && last.event.outcome === 'interrupted', 'turn_ended is sent synchronously');
  assert.ok(sink.log.some((e) => e.kind === 'event' && e.event.type === 'audio_ended'));
  await sleep(80);
  assert.equal(sink.log.length - 1, endIndex, 'nothing of the interrupted turn follows its end');
  assert.equal(agent.signals[0]?.aborted, true);
  assert.equal(voice.requests.at(-1)?.options.signal.aborted, true);
  await session.end();
});

test('memory keeps the phrases sent before an interrupt, and with playback only what was played', async () => {
  const { session, sink, agent, voice } = fakeSession();
  agent.script = { events: tokens(LONG) };
  voice.delayMs = 20;
  await session.start({});
  session.text('Talk');
  const started = await sink.next('audio_started');
  session.played(started.turnId, 0);
  // Past the first phrase's audio, before the whole answer's.
  const firstPhrase = voice.requests[0]!.text;
  while (sink.audioSamples() < firstPhrase.length * voice.samplesPerChar) await sleep(2);
  session.interrupt();
  await session.end();
  assert.equal(agent.truncations.length, 2, JSON.stringify(agent.truncations));
  const heard = agent.truncations[0]!.heardText;
  assert.ok(heard.startsWith(firstPhrase) && heard.length < LONG.length, heard);
  // The client then said it played nothing of the answer: that is what memory keeps.
  assert.equal(agent.truncations[1]?.heardText, '');
});

test('played() on a completed answer cuts memory to the words of the played part', async () => {
  const { session, sink, agent } = fakeSession();
  agent.script = { events: tokens('One two three four. Five six seven eight.') };
  await session.start({});
  session.text('Count');
  const end = await sink.next('turn_ended');
  const totalMs = (sink.audioSamples(end.turnId) / 16_000) * 1000;
  session.played(end.turnId, totalMs * 0.75);
  await session.end();
  assert.deepEqual(agent.truncations.map((t) => t.heardText), ['One two three four. Five six']);
});
