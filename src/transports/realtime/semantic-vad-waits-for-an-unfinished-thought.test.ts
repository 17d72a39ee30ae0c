import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { Pcm16Resampler } from '../../audio/pcm16-resampler.ts';
import { useGatewayWithLlm } from '../../../test/support/gateway.ts';
import { RealtimeTestClient } from '../../../test/support/realtime-client.ts';
import { startTlsFront, type TlsFront } from '../../../test/support/tls-front.ts';
import { FIXTURES_DIR, readWav, streamPcm, type Wav } from '../../../test/support/wav.ts';

const RATE_HZ = 24_000;
const silence = (ms: number): Wav => ({ sampleRateHz: RATE_HZ, channels: 1, samples: new Int16Array((RATE_HZ / 1000) * ms) });
/** Room for the transcript of the pause (taken at 100 ms of silence) on a busy machine; no figure is asserted on it. */
const TRANSCRIPT_SETTLES_MS = 4_000;

describe('Realtime semantic_vad: an unfinished thought is waited for past the server_vad window', () => {
  // The gateway's own adaptive endpointing is off: the session asks for it.
  const env = useGatewayWithLlm({ text: 'Go on.' }, {
    server: { apiKeys: ['test-key'] },
    asrPhrase: 'I wanted to ask about my order and um',
    vad: { minSilenceMs: 800 },
    turns: { speculativeAfterMs: 100 },
  });
  let front: TlsFront;
  let speech: Wav;
  before(async () => {
    front = await startTlsFront(env.gateway.url);
    // Cut where the voice stops (2.52 s), so the silence sent after it is all the silence there is.
    const fixture = readWav(`${FIXTURES_DIR}order-status-en-16k.wav`);
    const resampler = await Pcm16Resampler.create(fixture.sampleRateHz, RATE_HZ);
    speech = { sampleRateHz: RATE_HZ, channels: 1, samples: resampler.process(fixture.samples.subarray(0, 16 * 2_520)) };
    resampler.close();
  });
  after(() => front?.close());

  test('with eagerness high, 1.5 s of silence after "and um" does not commit; past 2 s it does', async () => {
    const client = await RealtimeTestClient.connect(front, { model: 'gpt-realtime' });
    client.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: { type: 'semantic_vad', eagerness: 'high' } } } } });
    const updated = await client.next('session.updated');
    assert.deepEqual(updated.session.audio.input.turn_detection, { type: 'semantic_vad', eagerness: 'high', create_response: true, interrupt_response: true });

    await streamPcm((b) => client.appendAudio(b), speech, { speed: 1, silenceMs: 300 });
    await sleep(TRANSCRIPT_SETTLES_MS);
    await streamPcm((b) => client.appendAudio(b), silence(1_200), { speed: 1 });
    await sleep(500);
    assert.deepEqual(client.of('input_audio_buffer.committed'), [], 'past the 800 ms server_vad window, the trailing "and um" is still waited for');
    await streamPcm((b) => client.appendAudio(b), silence(1_000), { speed: 1 });
    const committed = await client.next('input_audio_buffer.committed', { timeoutMs: 10_000 });
    assert.ok(committed.item_id);
    await client.close();
    assert.deepEqual(client.errors(), []);
  });
});
