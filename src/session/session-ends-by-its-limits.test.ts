import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeSession, sleep, tokens } from '../../test/support/session-fakes.ts';

test('idle for limits.idleTimeoutMs: the session ends with idle_timeout; commands and keepAlive hold it open', async () => {
  const { session, sink } = fakeSession({ limits: { maxTextChars: 100, idleTimeoutMs: 120, maxSessionMs: 60_000, maxTurnsPerMinute: 1_000 } });
  await session.start({});
  for (let i = 0; i < 4; i++) {
    await sleep(60);
    session.keepAlive();
  }
  assert.equal(sink.events('ended').length, 0);
  const ended = await sink.next('ended', 0, 1_000);
  assert.equal(ended.code, 'idle_timeout');
  await session.ended;
});

test('ending a session mid-answer ends the turn first, then says why; later commands are ignored', async () => {
  const { session, sink, agent } = fakeSession();
  agent.script = { events: tokens('A long answer. '.repeat(20)), tokenDelayMs: 10 };
  await session.start({});
  session.text('Talk');
  await sink.next('answer_delta');
  await session.end('shutting_down', 'the gateway is shutting down');
  const types = sink.events().map((e) => e.type);
  assert.deepEqual(types.slice(-2), ['turn_ended', 'ended']);
  assert.equal(sink.events('turn_ended')[0]?.outcome, 'interrupted');
  const count = sink.log.length;
  session.text('Anyone?');
  assert.equal(sink.log.length, count);
});

test('a client listening to an answer longer than limits.idleTimeoutMs is not idle; the idle clock starts when the answer ends', async () => {
  const { session, sink, agent } = fakeSession({ limits: { maxTextChars: 100, idleTimeoutMs: 150, maxSessionMs: 60_000, maxTurnsPerMinute: 1_000 } });
  agent.script = { events: tokens('A long answer. '.repeat(20)), tokenDelayMs: 20 };
  await session.start({});
  session.text('Tell me everything');
  const turnEnded = await sink.next('turn_ended', 0, 10_000);
  assert.equal(turnEnded.outcome, 'completed', 'the answer (about 800 ms) ran to its end');
  assert.equal(sink.events('ended').length, 0);
  const ended = await sink.next('ended', 0, 2_000);
  assert.equal(ended.code, 'idle_timeout');
  await session.ended;
});

test('more turns than limits.maxTurnsPerMinute are refused with turn_rate_limited before the agent is asked', async () => {
  const { session, sink, agent } = fakeSession({ limits: { maxTextChars: 100, idleTimeoutMs: 60_000, maxSessionMs: 60_000, maxTurnsPerMinute: 3 } });
  agent.script = { events: tokens('Yes.') };
  await session.start({});
  for (let i = 0; i < 3; i++) {
    session.text(`Question ${i}`);
    await sink.next('turn_ended', i, 5_000);
  }
  const asked = agent.turns.length;
  session.text('One too many');
  const error = sink.events('error').at(-1);
  assert.equal(error?.error.code, 'turn_rate_limited');
  assert.equal(error?.error.recoverable, true);
  assert.equal(error?.error.retryable, true);
  await sleep(50);
  assert.equal(agent.turns.length, asked, 'the refused turn never reached the agent');
  assert.equal(sink.events('turn_started').length, 3);
  await session.end();
});
