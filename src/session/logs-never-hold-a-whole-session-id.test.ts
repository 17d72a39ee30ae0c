import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { fakeSession } from '../../test/support/session-fakes.ts';

test('session logs name a session by a short prefix, never its whole id or resume secret', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const { session, sink: events } = fakeSession({ log: pino({ level: 'trace' }, sink) });
  await session.start({});
  session.text('hello');
  await events.next('turn_ended');
  await session.end('idle_timeout', 'test');
  const started = await events.next('started');
  const log = lines.join('');
  assert.ok(log.includes('session started'), log);
  assert.ok(log.includes(started.sessionId.slice(0, 6)), 'the prefix lets an operator follow the session');
  assert.ok(!log.includes(started.sessionId), log);
  assert.ok(!log.includes(started.resumeSecret), log);
});
