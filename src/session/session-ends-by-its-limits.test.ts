import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeSession, sleep, tokens } from '../../test/support/session-fakes.ts';

test('idle for limits.idleTimeoutMs: the session ends with idle_timeout; commands and keepAlive hold it open', async () => {
  const { session, sink } = fakeSession({ limits: { maxTextChars: 100, idleTimeoutMs: 120, maxSessionMs: 60_000 } });
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
