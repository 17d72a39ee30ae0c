import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Pcm16Resampler } from '../../audio/pcm16-resampler.ts';
import { useGatewayWithLlm } from '../../../test/support/gateway.ts';
import { RealtimeTestClient } from '../../../test/support/realtime-client.ts';
import { startTlsFront, type TlsFront } from '../../../test/support/tls-front.ts';
import { FIXTURES_DIR, readWav, streamPcm, type Wav } from '../../../test/support/wav.ts';

const LONG_ANSWER = Array.from({ length: 40 }, (_, i) => `Sentence number ${i + 1} is here.`).join(' ');
const orderStatus = readWav(`${FIXTURES_DIR}order-status-en-16k.wav`);

async function at24k(wav: Wav): Promise<Wav> {
  const resampler = await Pcm16Resampler.create(wav.sampleRateHz, 24_000);
  const samples = Int16Array.from([...resampler.process(wav.samples), ...resampler.drain()]);
  resampler.close();
  return { sampleRateHz: 24_000, channels: 1, samples };
}

const userText = (text: string) => ({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });

describe('barge-in and beta clients over the Realtime socket', () => {
  const env = useGatewayWithLlm({ text: LONG_ANSWER, tokensPerSecond: 40 });
  let front: TlsFront;
  let mic: Wav;
  before(async () => {
    front = await startTlsFront(env.gateway.url);
    mic = await at24k(orderStatus);
  });
  after(() => front?.close());

  test('speech during an answer cancels it (interrupt_response), with reason turn_detected, and no audio follows', async () => {
    const client = await RealtimeTestClient.connect(front);
    client.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad', create_response: false } } } } });
    await client.next('session.updated');
    client.send(userText('Tell me a long story'));
    client.send({ type: 'response.create' });
    await client.next('response.output_audio.delta');
    await streamPcm((b) => client.appendAudio(b), mic, { speed: 1, silenceMs: 1_000 });
    const done = await client.next('response.done');
    assert.equal(done.response.status, 'cancelled');
    assert.equal(done.response.status_details.reason, 'turn_detected');
    const audioAtEnd = client.audio(done.response.id).length;
    // create_response false: the utterance is committed and transcribed, but no response starts by itself.
    await client.next('input_audio_buffer.committed');
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(client.audio(done.response.id).length, audioAtEnd, 'no audio of the cancelled response after response.done');
    assert.equal(client.of('response.created').length, 1);
    await client.close();
    assert.deepEqual(client.errors(), []);
  });

  test('one response at a time, and only the latest answer can be truncated', async () => {
    const client = await RealtimeTestClient.connect(front);
    client.send(userText('Tell me a long story'));
    client.send({ type: 'response.create' });
    const first = await client.next('response.output_audio.delta');
    client.send({ type: 'response.create', event_id: 'evt_second' });
    const refused = await client.next('error');
    assert.equal(refused.error.event_id, 'evt_second');
    client.send({ type: 'response.cancel' });
    await client.next('response.done');
    client.send({ type: 'response.create' });
    await client.next('response.output_audio.delta', { where: (e) => e.item_id !== first.item_id });
    client.send({ type: 'response.cancel' });
    await client.next('response.done', { after: 1 });
    client.send({ type: 'conversation.item.truncate', event_id: 'evt_old', item_id: first.item_id, content_index: 0, audio_end_ms: 100 });
    const old = await client.next('error', { after: 1 });
    await client.close();
    assert.equal(old.error.event_id, 'evt_old');
    assert.match(old.error.message, /not the latest answer/);
    assert.equal(client.of('response.created').length, 2);
    assert.equal(client.of('conversation.item.truncated').length, 0);
  });

  test('with interrupt_response false, the user speaking does not cut the answer', async () => {
    env.llm.setScript({ text: 'One short answer that is spoken in full.', tokensPerSecond: 20 });
    try {
      const client = await RealtimeTestClient.connect(front);
      client.send({
        type: 'session.update',
        session: { type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad', create_response: false, interrupt_response: false } } } },
      });
      await client.next('session.updated');
      client.send(userText('Talk'));
      client.send({ type: 'response.create' });
      await client.next('response.output_audio_transcript.delta');
      await streamPcm((b) => client.appendAudio(b), mic, { speed: 2 });
      const done = await client.next('response.done');
      await client.close();
      assert.equal(done.response.status, 'completed');
    } finally {
      env.llm.setScript({ text: LONG_ANSWER, tokensPerSecond: 40 });
    }
  });

  test('the SDK\'s beta class gets the beta event names and session shape', async () => {
    env.llm.setScript({ text: 'Hello from the beta side.' });
    try {
      const client = await RealtimeTestClient.connect(front, { beta: true });
      const created = client.of('session.created')[0]!;
      assert.equal(created.session.input_audio_format, 'pcm16');
      assert.deepEqual(created.session.modalities, ['text', 'audio']);
      client.send({ type: 'session.update', session: { modalities: ['text', 'audio'], output_audio_format: 'g711_alaw', instructions: 'Be brief.' } });
      const updated = await client.next('session.updated');
      assert.equal(updated.session.output_audio_format, 'g711_alaw');
      client.send(userText('Hi'));
      const added = await client.next('conversation.item.created');
      client.send({ type: 'response.create' });
      const done = await client.next('response.done');
      assert.equal(done.response.status, 'completed');
      assert.ok(client.of('response.audio.delta').length > 0);
      assert.equal(client.of('response.audio_transcript.done')[0]?.transcript, 'Hello from the beta side.');
      assert.equal(client.of('response.output_audio.delta').length, 0, 'no GA names on a beta socket');
      assert.equal(client.of('conversation.item.added').length, 0);

      client.send({ type: 'response.create', response: { modalities: ['text'], instructions: 'Answer in text.' } });
      const textDone = await client.next('response.done', { after: 1 });
      assert.deepEqual(textDone.response.modalities, ['text']);
      assert.equal(client.of('response.text.done')[0]?.text, 'Hello from the beta side.');
      assert.match(String(env.llm.requests.at(-1)?.body.messages?.[0]?.content), /Answer in text\.$/);

      client.send({ type: 'conversation.item.retrieve', item_id: added.item.id });
      const retrieved = await client.next('conversation.item.retrieved');
      assert.deepEqual(retrieved.item.content, [{ type: 'input_text', text: 'Hi' }]);
      await client.close();
      assert.deepEqual(client.errors(), []);
    } finally {
      env.llm.setScript({ text: LONG_ANSWER, tokensPerSecond: 40 });
    }
  });
});
