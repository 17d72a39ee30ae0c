import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeSynthesizer, fakeSession } from '../../test/support/session-fakes.ts';

test('a client playing at 24 kHz gets a 16 kHz voice resampled to 24 kHz, as long as the voice spoke', async () => {
  const { session, sink } = fakeSession({}, [new FakeSynthesizer('sixteen', 16_000)]);
  await session.start({ audioOutSampleRateHz: 24_000 });
  assert.equal(sink.events('started')[0]?.audioOut.sampleRateHz, 24_000);
  session.text('Hi');
  const end = await sink.next('turn_ended');
  assert.equal(sink.events('audio_started')[0]?.sampleRateHz, 24_000);
  const spoken16k = 25 * 160 - 160;
  assert.equal(sink.audioSamples(end.turnId), Math.round(spoken16k * 1.5));
  await session.end();
});

test('without a requested rate the voice speaks at its own rate, unchanged', async () => {
  const { session, sink } = fakeSession({}, [new FakeSynthesizer('twenty-two', 22_050)]);
  await session.start({});
  assert.equal(sink.events('started')[0]?.audioOut.sampleRateHz, 22_050);
  session.text('Hi');
  await sink.next('turn_ended');
  assert.equal(sink.events('audio_started')[0]?.sampleRateHz, 22_050);
  await session.end();
});
