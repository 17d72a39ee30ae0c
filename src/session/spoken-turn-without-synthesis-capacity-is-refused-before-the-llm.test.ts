import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { GatewayError } from '../core/errors.ts';
import { fakeSession, tokens } from '../../test/support/session-fakes.ts';
import { Admission } from './admission.ts';

const IDLE = { eventLoopLagMs: () => 0, asrQueued: () => 0, rssBytes: () => 0 };

/** A logger whose lines land in `lines`, parsed. */
function capturingLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'warn' }, stream), lines };
}

test('with every synthesis slot taken, a spoken turn is refused with tts_busy before its LLM call, and logged at warn', async () => {
  const admission = new Admission({ maxEventLoopLagMs: 0, maxAsrQueued: 0, maxSpeakingTurns: 1, maxRssMb: 0 }, IDLE);
  const speaking = fakeSession({ reserveSpeech: () => admission.reserveSpeech() });
  const { log, lines } = capturingLog();
  const refused = fakeSession({ reserveSpeech: () => admission.reserveSpeech(), log });
  speaking.agent.script = { events: tokens('A long answer. '.repeat(10)), tokenDelayMs: 10 };
  await speaking.session.start({});
  await refused.session.start({});

  speaking.session.text('Talk');
  await speaking.sink.next('answer_delta');
  refused.session.text('Me too');
  const error = await refused.sink.next('error');
  assert.ok(error.error instanceof GatewayError);
  assert.equal(error.error.code, 'tts_busy');
  assert.equal(refused.agent.turns.length, 0, 'the LLM was not called');
  assert.equal(refused.sink.events('turn_started').length, 0);
  assert.ok(lines.some((line) => line.msg === 'turn refused' && line.code === 'tts_busy' && line.level === 40), JSON.stringify(lines));
  assert.equal(admission.status().reason, 'tts_queue');

  // The slot comes back when the answer ends, and the next turn gets it.
  await speaking.sink.next('turn_ended');
  await speaking.session.turnFinished;
  refused.session.text('Now?');
  assert.equal((await refused.sink.next('turn_ended')).outcome, 'completed');
  assert.equal(refused.agent.turns.length, 1);
  await Promise.all([speaking.session.end(), refused.session.end()]);
  assert.equal(admission.status().speakingTurns, 0);
});

test('a text-only turn needs no synthesis slot; an interrupted turn gives its slot back at once', async () => {
  const admission = new Admission({ maxEventLoopLagMs: 0, maxAsrQueued: 0, maxSpeakingTurns: 1, maxRssMb: 0 }, IDLE);
  const { session, sink, agent } = fakeSession({ reserveSpeech: () => admission.reserveSpeech() });
  agent.script = { events: tokens('A long answer. '.repeat(20)), tokenDelayMs: 10 };
  await session.start({});
  session.text('One');
  await sink.next('answer_delta');
  assert.equal(admission.status().speakingTurns, 1);
  // A new input interrupts the running turn: its slot is the new turn's, not refused as taken.
  session.text('Two');
  assert.equal(sink.events('error').length, 0);
  assert.equal(admission.status().speakingTurns, 1);
  session.interrupt();
  assert.equal(admission.status().speakingTurns, 0);
  await session.update({ speak: false });
  const busy = admission.reserveSpeech();
  session.text('Quietly');
  assert.equal((await sink.next('turn_ended', 2)).outcome, 'completed');
  busy();
  await session.end();
});

test('a failed turn is logged at warn with its code and cause', async () => {
  const { log, lines } = capturingLog();
  const { session, sink, agent } = fakeSession({ log });
  agent.script = { fail: new GatewayError('llm_unavailable', 'the LLM server answered 503') };
  await session.start({});
  session.text('Hello');
  await sink.next('turn_ended');
  const failed = lines.find((line) => line.msg === 'turn failed');
  assert.ok(failed, JSON.stringify(lines));
  assert.equal(failed.code, 'llm_unavailable');
  assert.equal(failed.cause, 'the LLM server answered 503');
  assert.equal(failed.level, 40);
  await session.end();
});
