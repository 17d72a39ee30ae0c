import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeSynthesizer, fakeSession } from '../../test/support/session-fakes.ts';

const codes = (sink: ReturnType<typeof fakeSession>['sink']) => sink.events('error').map((e) => e.error.code);

test('commands before start get not_started, and the session can still start', async () => {
  const { session, sink } = fakeSession();
  session.text('hello');
  session.audio(new Uint8Array(4));
  session.audioEnd();
  session.interrupt();
  assert.deepEqual(codes(sink), ['not_started', 'not_started', 'not_started', 'not_started']);
  await session.start({});
  assert.equal(sink.events('started').length, 1);
  await session.end();
});

test('empty and over-long text, audio on a text session and a second start are refused, each with its code', async () => {
  const { session, sink, agent } = fakeSession();
  await session.start({});
  session.text('   ');
  session.text('x'.repeat(1_001));
  session.audio(new Uint8Array(4));
  session.audioEnd();
  await session.start({});
  assert.deepEqual(codes(sink), ['empty_text', 'text_too_long', 'audio_not_expected', 'audio_not_expected', 'already_started']);
  assert.equal(agent.turns.length, 0);
  for (const { error } of sink.events('error')) assert.equal(error.recoverable, true);
  await session.end();
});

test('an output rate outside 8-48 kHz is refused at start; an unknown speaker is reported and the default speaks', async () => {
  const multi = new FakeSynthesizer('multi', 16_000, ['alice', 'bob']);
  const { session, sink, voice } = fakeSession({}, [multi]);
  await session.start({ audioOutSampleRateHz: 96_000 });
  assert.deepEqual(codes(sink), ['bad_audio_format']);
  assert.equal(sink.events('started').length, 0, 'a refused start leaves no half-session');
  await session.start({ speech: { speaker: 'carol' } });
  assert.deepEqual(codes(sink), ['bad_audio_format', 'invalid_message']);
  session.text('Hi');
  await sink.next('turn_ended');
  assert.equal(voice.requests[0]?.options.speaker, undefined);
  await session.end();
});

test('a refusal a transport reports counts as activity and is sent like any error', async () => {
  const { session, sink } = fakeSession();
  const { GatewayError } = await import('../core/errors.ts');
  session.reject(new GatewayError('bad_json', 'not JSON'));
  assert.deepEqual(codes(sink), ['bad_json']);
  await session.end();
});

test('a turn whose voice is still loading gets model_not_ready at once, and the session goes on', async () => {
  const { GatewayError } = await import('../core/errors.ts');
  const loading = { name: 'loading', sampleRateHz: 16_000, speakers: undefined, synthesizer: () => { throw new GatewayError('model_not_ready', 'voice loading is still loading'); } };
  const { session, sink } = fakeSession({ voices: { has: () => false, select: () => loading } });
  await session.start({});
  session.text('Hello');
  assert.deepEqual(codes(sink), ['model_not_ready']);
  assert.equal(sink.events('error')[0]?.error.retryable, true);
  assert.equal(sink.events('turn_ended').length, 0);
  await session.end();
});
