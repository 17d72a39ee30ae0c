import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TEST_TRANSCRIPT, useGatewayWithLlm } from '../../../test/support/gateway.ts';
import { FIXTURES_DIR, readWav, streamPcm } from '../../../test/support/wav.ts';
import { TestClient } from '../../../test/support/ws-client.ts';

const MIC_16K = { sample_rate: 16_000, format: 'pcm16', channels: 1 };
const twoTurns = readWav(`${FIXTURES_DIR}two-turns-en-16k.wav`);
const orderStatus = readWav(`${FIXTURES_DIR}order-status-en-16k.wav`);
const orderStatus48kStereo = readWav(`${FIXTURES_DIR}order-status-en-48k-stereo.wav`);

describe('voice turns: microphone audio in, spoken answer out', () => {
  const env = useGatewayWithLlm({ text: 'Your order ships today.' });

  test('two utterances streamed at real-time pace give vad events, two transcripts and two spoken answers', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start({ audio: MIC_16K });
    const requestsBefore = env.llm.requests.length;
    await streamPcm((b) => client.sendAudio(b), twoTurns, { speed: 1, silenceMs: 1_000 });
    const second = await client.next('response_end', { after: 1 });
    await client.close();

    assert.deepEqual(client.protocolErrors, []);
    assert.deepEqual(client.messages('vad').map((m) => m.state), ['speech_start', 'speech_end', 'speech_start', 'speech_end']);
    const finals = client.messages('asr_final');
    assert.deepEqual(finals.map((m) => m.text), [TEST_TRANSCRIPT, TEST_TRANSCRIPT]);
    assert.equal(second.turn_id, finals[1]?.turn_id, 'the turn id of the transcript is the turn id of its answer');
    // Partials while speaking (every asr.partialIntervalMs), under the id their final will carry.
    const partials = client.messages('asr_partial');
    assert.ok(partials.length >= 2, `partials: ${partials.length}`);
    assert.ok(partials.every((p) => finals.some((f) => f.turn_id === p.turn_id)));
    assert.equal(env.llm.requests.length - requestsBefore, 2);
    assert.equal(env.llm.requests.at(-1)?.body.messages?.at(-1)?.content, TEST_TRANSCRIPT);
    const ends = client.messages('response_end');
    for (const key of ['vad_endpoint_ms', 'asr_ms', 'voice_to_voice_ms', 'first_audio_ms']) {
      assert.equal(typeof ends.at(-1)?.timings[key], 'number', `${key} in ${JSON.stringify(ends.at(-1)?.timings)}`);
    }
    assert.ok(client.audioBytes() > 0);
  });

  test('push-to-talk: audio_end finalises the utterance at once, without waiting for silence', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start({ audio: MIC_16K });
    await streamPcm((b) => client.sendAudio(b), orderStatus, { speed: Infinity });
    client.send({ type: 'audio_end' });
    const final = await client.next('asr_final');
    assert.equal(final.text, TEST_TRANSCRIPT);
    const end = await client.next('response_end');
    assert.equal(end.turn_id, final.turn_id);
    await client.close();
  });

  test('48 kHz stereo microphones are down-mixed and resampled on the way in', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start({ audio: { sample_rate: 48_000, format: 'pcm16', channels: 2 } });
    await streamPcm((b) => client.sendAudio(b), orderStatus48kStereo, { speed: Infinity, frameMs: 20 });
    client.send({ type: 'audio_end' });
    assert.equal((await client.next('asr_final')).text, TEST_TRANSCRIPT);
    assert.deepEqual(client.messages('vad').map((m) => m.state), ['speech_start', 'speech_end']);
    await client.close();
  });

  test('audio_end with nothing said answers with an empty asr_final and starts no turn', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start({ audio: MIC_16K });
    const requestsBefore = env.llm.requests.length;
    client.sendAudio(new Uint8Array(16_000 * 2));
    client.send({ type: 'audio_end' });
    assert.equal((await client.next('asr_final')).text, '');
    client.send({ type: 'ping' });
    await client.next('pong');
    assert.equal(env.llm.requests.length, requestsBefore);
    await client.close();
  });

  test('audio sent while an audio_end is being finalised gets audio_after_end and is dropped', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start({ audio: MIC_16K });
    await streamPcm((b) => client.sendAudio(b), orderStatus, { speed: Infinity });
    client.send({ type: 'audio_end' });
    client.sendAudio(new Uint8Array(640));
    assert.equal((await client.next('error')).code, 'audio_after_end');
    await client.next('asr_final');
    await client.close();
  });
});

describe('an empty transcript', () => {
  const env = useGatewayWithLlm({ text: 'Should not be asked.' }, { asrPhrase: ' [BLANK_AUDIO]' });

  test('whisper non-speech markers are removed; an empty transcript sends asr_final "" and starts no agent turn', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start({ audio: MIC_16K });
    await streamPcm((b) => client.sendAudio(b), orderStatus, { speed: Infinity });
    client.send({ type: 'audio_end' });
    assert.equal((await client.next('asr_final')).text, '');
    client.send({ type: 'ping' });
    await client.next('pong');
    assert.equal(env.llm.requests.length, 0);
    assert.deepEqual(client.messages('response_end'), []);
    await client.close();
  });
});

describe('bounded input', () => {
  const env = useGatewayWithLlm({ text: 'Fine.' }, { limits: { maxBufferedAudioMs: 100 } });

  test('audio arriving faster than it is processed overflows the bound: the oldest is dropped and the client told once', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start({ audio: MIC_16K });
    await streamPcm((b) => client.sendAudio(b), twoTurns, { speed: Infinity });
    const error = await client.next('error');
    assert.equal(error.code, 'audio_overflow');
    assert.equal(error.recoverable, true);
    client.send({ type: 'ping' });
    await client.next('pong');
    assert.equal(client.messages('error').filter((e) => e.code === 'audio_overflow').length, 1);
    await client.close();
  });
});
