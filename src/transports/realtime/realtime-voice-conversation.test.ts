import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Pcm16Resampler } from '../../audio/pcm16-resampler.ts';
import { TEST_TRANSCRIPT, useGatewayWithLlm } from '../../../test/support/gateway.ts';
import { RealtimeTestClient } from '../../../test/support/realtime-client.ts';
import { startTlsFront, type TlsFront } from '../../../test/support/tls-front.ts';
import { FIXTURES_DIR, readWav, streamPcm, type Wav } from '../../../test/support/wav.ts';
import { decodeG711, encodeG711 } from './g711.ts';

const LONG_ANSWER = Array.from({ length: 30 }, (_, i) => `Sentence number ${i + 1} is here.`).join(' ');
const orderStatus = readWav(`${FIXTURES_DIR}order-status-en-16k.wav`);

async function resampled(wav: Wav, rateHz: number): Promise<Wav> {
  const resampler = await Pcm16Resampler.create(wav.sampleRateHz, rateHz);
  const head = resampler.process(wav.samples);
  const tail = resampler.drain();
  resampler.close();
  const samples = new Int16Array(head.length + tail.length);
  samples.set(head);
  samples.set(tail, head.length);
  return { sampleRateHz: rateHz, channels: 1, samples };
}

const userTextItem = (text: string) => ({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
const asSamples = (bytes: Uint8Array) => new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));

describe('the official openai Realtime client over wss, against the real pipeline', () => {
  const env = useGatewayWithLlm({ text: 'Your order ships today.' }, { server: { apiKeys: ['test-key'] } });
  let front: TlsFront;
  let mic24k: Wav;
  before(async () => {
    front = await startTlsFront(env.gateway.url);
    mic24k = await resampled(orderStatus, 24_000);
  });
  after(() => front?.close());

  test('server VAD commits, input transcription arrives, the answer streams as 24 kHz audio deltas with its transcript', async () => {
    const client = await RealtimeTestClient.connect(front, { model: 'gpt-realtime' });
    const created = client.of('session.created')[0]!;
    assert.equal(created.session.model, 'gpt-realtime', 'the model asked for is reported');
    assert.deepEqual(created.session.audio.output.format, { type: 'audio/pcm', rate: 24_000 });
    client.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        instructions: 'Always mention the order number.',
        audio: { input: { transcription: { model: 'whisper-1' }, turn_detection: { type: 'server_vad', silence_duration_ms: 500 } } },
      },
    });
    const updated = await client.next('session.updated');
    assert.equal(updated.session.audio.input.turn_detection.silence_duration_ms, 500);
    const requestsBefore = env.llm.requests.length;
    await streamPcm((b) => client.appendAudio(b), mic24k, { speed: 1, silenceMs: 1_000 });
    const done = await client.next('response.done');
    await client.close();

    assert.deepEqual(client.errors(), []);
    const speechStarted = client.of('input_audio_buffer.speech_started')[0]!;
    const committed = client.of('input_audio_buffer.committed')[0]!;
    assert.equal(committed.item_id, speechStarted.item_id);
    const transcription = client.of('conversation.item.input_audio_transcription.completed')[0]!;
    assert.equal(transcription.transcript, TEST_TRANSCRIPT);
    assert.equal(transcription.item_id, committed.item_id);
    const order = client.events.map((e) => e.type);
    for (const [before, after] of [
      ['input_audio_buffer.speech_started', 'input_audio_buffer.speech_stopped'],
      ['input_audio_buffer.speech_stopped', 'input_audio_buffer.committed'],
      ['response.created', 'response.output_item.added'],
      ['response.output_item.added', 'response.content_part.added'],
      ['response.content_part.added', 'response.output_audio.delta'],
      ['response.output_audio.done', 'response.content_part.done'],
      ['response.output_item.done', 'response.done'],
    ]) {
      assert.ok(order.indexOf(before!) >= 0 && order.indexOf(before!) < order.indexOf(after!), `${before} before ${after}: ${order.join(', ')}`);
    }
    assert.equal(done.response.status, 'completed');
    // The stand-in counts words: the answer's four words, and the prompt's.
    assert.equal(done.response.usage.output_tokens, 4);
    assert.ok(done.response.usage.input_tokens > 0);
    for (const key of ['vad_endpoint_ms', 'asr_ms', 'voice_to_voice_ms', 'first_audio_ms']) {
      assert.equal(typeof done.response.s2s_timings[key], 'number', `${key} in ${JSON.stringify(done.response.s2s_timings)}`);
    }
    const stopped = client.of('input_audio_buffer.speech_stopped')[0]!;
    const appendedMs = (mic24k.samples.length / 24) + 1_000;
    assert.ok(speechStarted.audio_start_ms < stopped.audio_end_ms && stopped.audio_end_ms <= appendedMs, JSON.stringify([speechStarted, stopped]));
    const transcript = client.of('response.output_audio_transcript.delta').map((e) => e.delta).join('');
    assert.equal(transcript, 'Your order ships today.');
    assert.equal(client.of('response.output_audio_transcript.done')[0]?.transcript, transcript);
    // 24 kHz PCM16: a spoken sentence is well over a tenth of a second of audio.
    assert.ok(client.audio(done.response.id).length > 24_000 * 2 * 0.1, `audio bytes: ${client.audio().length}`);
    const request = env.llm.requests[requestsBefore]!;
    assert.equal(env.llm.requests.length - requestsBefore, 1);
    assert.match(String(request.body.messages?.[0]?.content), /Always mention the order number\.$/);
    assert.equal(request.body.messages?.at(-1)?.content, TEST_TRANSCRIPT);
  });

  test('response.cancel and conversation.item.truncate mid-answer leave memory holding only what was heard', async () => {
    env.llm.setScript({ text: LONG_ANSWER, tokensPerSecond: 40 });
    try {
      const client = await RealtimeTestClient.connect(front);
      client.send(userTextItem('Tell me a long story'));
      await client.next('conversation.item.added');
      client.send({ type: 'response.create' });
      const delta = await client.next('response.output_audio.delta');
      // The client has played about a third of a second when the user cuts in.
      while (client.audio().length < 24_000 * 2 * 0.4) await new Promise((r) => setTimeout(r, 5));
      client.send({ type: 'response.cancel' });
      const done = await client.next('response.done');
      assert.equal(done.response.status, 'cancelled');
      assert.equal(done.response.status_details.reason, 'client_cancelled');
      const audioAtCancel = client.audio().length;
      client.send({ type: 'conversation.item.truncate', item_id: delta.item_id, content_index: 0, audio_end_ms: 300 });
      const truncated = await client.next('conversation.item.truncated');
      assert.equal(truncated.audio_end_ms, 300);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(client.audio().length, audioAtCancel, 'no audio after response.done');

      env.llm.setScript({ text: 'Fine.' });
      const next = env.llm.requests.length;
      client.send(userTextItem('Go on'));
      client.send({ type: 'response.create' });
      await client.next('response.done', { after: 1 });
      await client.close();
      const messages = (env.llm.requests[next]?.body.messages ?? []).filter((m) => m.role !== 'system');
      assert.deepEqual(messages.map((m) => m.role), ['user', 'assistant', 'user'], JSON.stringify(messages));
      const heard = String(messages[1]?.content);
      assert.ok(heard.length > 0 && LONG_ANSWER.startsWith(heard), heard);
      const sent = client.of('response.output_audio_transcript.delta').map((e) => e.delta).join('');
      assert.ok(heard.length < sent.length, `memory keeps what 300 ms said (${heard.length} chars), less than the text sent (${sent.length})`);
    } finally {
      env.llm.setScript({ text: 'Your order ships today.' });
    }
  });

  test('push-to-talk: with turn_detection null the client commits and asks for the response', async () => {
    const client = await RealtimeTestClient.connect(front);
    client.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null, transcription: { model: 'whisper-1' } } } } });
    const updated = await client.next('session.updated');
    assert.equal(updated.session.audio.input.turn_detection, null);
    await streamPcm((b) => client.appendAudio(b), mic24k, { speed: Infinity, silenceMs: 1_500 });
    // Longer than any silence window: nothing happens until the client commits.
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(client.of('input_audio_buffer.committed').length, 0);
    client.send({ type: 'input_audio_buffer.commit' });
    client.send({ type: 'response.create' });
    const done = await client.next('response.done');
    await client.close();
    assert.deepEqual(client.errors(), []);
    assert.equal(client.of('input_audio_buffer.speech_started').length, 0, 'no VAD events in push-to-talk');
    assert.equal(client.of('conversation.item.input_audio_transcription.completed')[0]?.transcript, TEST_TRANSCRIPT);
    assert.equal(done.response.status, 'completed');
    assert.ok(client.audio(done.response.id).length > 0);
    assert.equal(client.of('response.created').length, 1, 'one response: the one the client asked for');
  });

  test('a client function tool round trip: offered beside the agent\'s own, called, answered, and the turn continues', async () => {
    env.llm.setScript((request) =>
      request.body.messages?.some((m) => m.role === 'tool')
        ? { text: 'Order 42 ships on Monday.' }
        : { toolCalls: [{ id: 'call_42', name: 'lookup_order', arguments: '{"order_id":"42"}' }] },
    );
    try {
      const client = await RealtimeTestClient.connect(front);
      const parameters = { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] };
      client.send({ type: 'session.update', session: { type: 'realtime', tools: [{ type: 'function', name: 'lookup_order', description: 'Look up an order', parameters }] } });
      await client.next('session.updated');
      const first = env.llm.requests.length;
      client.send(userTextItem('Where is order 42?'));
      client.send({ type: 'response.create' });
      const args = await client.next('response.function_call_arguments.done');
      assert.equal(args.name, 'lookup_order');
      assert.equal(args.call_id, 'call_42');
      assert.deepEqual(JSON.parse(args.arguments), { order_id: '42' });
      const callDone = await client.next('response.done');
      assert.equal(callDone.response.output[0]?.type, 'function_call');
      const offered = (env.llm.requests[first]?.body.tools ?? []) as { function: { name: string } }[];
      assert.deepEqual(offered.map((t) => t.function.name).sort(), ['current_time', 'lookup_order']);

      client.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_42', output: '{"ships":"Monday"}' } });
      client.send({ type: 'response.create' });
      const done = await client.next('response.done', { after: 1 });
      await client.close();
      assert.deepEqual(client.errors(), []);
      assert.equal(done.response.status, 'completed');
      assert.equal(client.of('response.output_audio_transcript.done').at(-1)?.transcript, 'Order 42 ships on Monday.');
      const messages = env.llm.requests.at(-1)?.body.messages ?? [];
      const tool = messages.find((m) => m.role === 'tool');
      assert.equal(tool?.tool_call_id, 'call_42');
      assert.equal(tool?.content, '{"ships":"Monday"}');
    } finally {
      env.llm.setScript({ text: 'Your order ships today.' });
    }
  });

  test('G.711 μ-law in and out at 8 kHz', async () => {
    const client = await RealtimeTestClient.connect(front);
    client.send({
      type: 'session.update',
      session: { type: 'realtime', audio: { input: { format: { type: 'audio/pcmu' }, transcription: { model: 'whisper-1' } }, output: { format: { type: 'audio/pcmu' } } } },
    });
    const updated = await client.next('session.updated');
    assert.deepEqual(updated.session.audio.output.format, { type: 'audio/pcmu' });
    const mic8k = await resampled(orderStatus, 8_000);
    await streamPcm((b) => client.appendAudio(encodeG711('pcmu', asSamples(b))), mic8k, { speed: 2, silenceMs: 1_000 });
    const done = await client.next('response.done');
    await client.close();
    assert.deepEqual(client.errors(), []);
    assert.equal(client.of('conversation.item.input_audio_transcription.completed')[0]?.transcript, TEST_TRANSCRIPT);
    const ulaw = client.audio(done.response.id);
    const transcript = client.of('response.output_audio_transcript.done')[0]?.transcript as string;
    // One byte a sample at 8 kHz: about as long as the same answer at 24 kHz PCM16 (six bytes a sample there).
    assert.ok(ulaw.length > 8_000 * 0.1, `μ-law bytes: ${ulaw.length}`);
    const pcm = asSamples(decodeG711('pcmu', ulaw));
    const peak = pcm.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
    assert.ok(peak > 1_000, `the decoded answer is speech, not silence (peak ${peak}) for "${transcript}"`);
  });

  test('user audio and assistant items join the conversation: the audio transcribed, neither answered until asked', async () => {
    const client = await RealtimeTestClient.connect(front);
    client.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { transcription: { model: 'whisper-1' } } } } });
    await client.next('session.updated');
    const pcm = new Uint8Array(mic24k.samples.buffer, mic24k.samples.byteOffset, mic24k.samples.byteLength);
    client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Welcome back.' }] } });
    client.send({ type: 'conversation.item.create', item: { id: 'item_recorded', type: 'message', role: 'user', content: [{ type: 'input_audio', audio: Buffer.from(pcm).toString('base64') }] } });
    const added = await client.next('conversation.item.added', { where: (e) => e.item.id === 'item_recorded' });
    assert.deepEqual(added.item.content, [{ type: 'input_audio', transcript: TEST_TRANSCRIPT }]);
    const completed = await client.next('conversation.item.input_audio_transcription.completed');
    assert.equal(completed.item_id, 'item_recorded');
    const before = env.llm.requests.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(env.llm.requests.length, before, 'items alone start no response');
    client.send({ type: 'response.create' });
    await client.next('response.done');
    await client.close();
    assert.deepEqual(client.errors(), []);
    const messages = (env.llm.requests[before]?.body.messages ?? []).filter((m) => m.role !== 'system');
    assert.deepEqual(messages.map((m) => [m.role, m.content]), [['assistant', 'Welcome back.'], ['user', TEST_TRANSCRIPT]]);
  });

  test('an answer cut off by the token limit ends as incomplete', async () => {
    env.llm.setScript({ text: 'This answer runs out', finishReason: 'length' });
    try {
      const client = await RealtimeTestClient.connect(front);
      client.send(userTextItem('Talk'));
      client.send({ type: 'response.create', response: { output_modalities: ['text'] } });
      const done = await client.next('response.done');
      await client.close();
      assert.equal(done.response.status, 'incomplete');
      assert.deepEqual(done.response.status_details, { type: 'incomplete', reason: 'max_output_tokens' });
      assert.equal(client.of('response.output_text.done')[0]?.text, 'This answer runs out');
      assert.equal(client.audio().length, 0, 'a text-only response has no audio');
    } finally {
      env.llm.setScript({ text: 'Your order ships today.' });
    }
  });

  test('an LLM failure ends the response as failed, with a server_error event', async () => {
    env.llm.setScript({ httpStatus: 500 });
    try {
      const client = await RealtimeTestClient.connect(front);
      client.send(userTextItem('Hello'));
      client.send({ type: 'response.create' });
      const done = await client.next('response.done');
      await client.close();
      assert.equal(done.response.status, 'failed');
      assert.equal(done.response.status_details.error.code, 'llm_unavailable');
      const error = client.errors()[0];
      assert.equal(error?.error.type, 'server_error');
      assert.equal(error?.error.code, 'llm_unavailable');
    } finally {
      env.llm.setScript({ text: 'Your order ships today.' });
    }
  });

  test('errors name the offending event and never close the socket', async () => {
    const client = await RealtimeTestClient.connect(front);
    client.send({ type: 'no.such.event', event_id: 'evt_unknown' });
    client.send({ type: 'session.update', event_id: 'evt_bad', session: { audio: { input: { format: { type: 'audio/opus' } } } } });
    client.send({ type: 'response.cancel', event_id: 'evt_cancel' });
    client.send({ type: 'input_audio_buffer.commit', event_id: 'evt_commit' });
    client.send({ type: 'conversation.item.truncate', event_id: 'evt_truncate', item_id: 'item_nope', content_index: 0, audio_end_ms: 10 });
    client.send({ type: 'session.update', session: { instructions: 'Still here.' } });
    const updated = await client.next('session.updated');
    await client.close();
    assert.equal(updated.session.instructions, 'Still here.');
    const errors = client.errors().map((e) => ({ type: e.error.type, code: e.error.code, event_id: e.error.event_id }));
    assert.deepEqual(errors, [
      { type: 'invalid_request_error', code: 'unknown_type', event_id: 'evt_unknown' },
      { type: 'invalid_request_error', code: 'invalid_message', event_id: 'evt_bad' },
      { type: 'invalid_request_error', code: 'invalid_message', event_id: 'evt_cancel' },
      { type: 'invalid_request_error', code: 'invalid_message', event_id: 'evt_commit' },
      { type: 'invalid_request_error', code: 'invalid_message', event_id: 'evt_truncate' },
    ]);
    assert.equal(client.errors()[1]?.error.param, 'session.audio.input.format.type');
  });

  test('a wrong API key is refused at the upgrade', async () => {
    await assert.rejects(RealtimeTestClient.connect(front, { apiKey: 'wrong' }), /401|no session.created/);
  });
});
