import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useGatewayWithLlm } from '../../../test/support/gateway.ts';
import { TestClient, type Received } from '../../../test/support/ws-client.ts';

const MAX_FRAME_MS = 100;

/** The kinds of frames between two indices, e.g. ['tts_start', 'audio', 'audio', 'tts_end']. */
const kinds = (received: Received[]) => received.map((r) => (r.kind === 'audio' ? 'audio' : r.message.type));

describe('a text turn over the WebSocket', () => {
  const env = useGatewayWithLlm({ text: 'Hello there. The weather is nice today, and it will stay sunny.' });

  test('streams tokens, then speech bracketed by tts_start/tts_end in frames of at most 100 ms, then response_end', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    const started = await client.start();
    client.send({ type: 'text_input', text: 'How is the weather?' });
    const end = await client.next('response_end');
    await client.close();

    assert.deepEqual(client.protocolErrors, []);
    assert.equal(end.interrupted, false);
    const tokens = client.messages('llm_token').map((m) => m.token).join('');
    assert.equal(tokens, 'Hello there. The weather is nice today, and it will stay sunny.');
    const order = kinds(client.received);
    const start = order.indexOf('tts_start');
    const stop = order.indexOf('tts_end');
    assert.ok(start > 0 && stop > start, `tts brackets in ${order.join(',')}`);
    assert.ok(order.slice(start + 1, stop).every((k) => k === 'audio' || k === 'llm_token'), 'only audio and tokens inside the brackets');
    assert.equal(order.lastIndexOf('audio') < stop, true, 'no audio after tts_end');
    assert.equal(order.at(-1), 'response_end');
    const maxFrameBytes = (started.audio_out.sample_rate * MAX_FRAME_MS * 2) / 1000;
    const frames = client.received.filter((r) => r.kind === 'audio');
    assert.ok(frames.length > 1);
    for (const frame of frames) assert.ok(frame.bytes.length <= maxFrameBytes && frame.bytes.length % 2 === 0);
    for (const key of ['llm_first_token_ms', 'llm_first_phrase_ms', 'tts_first_phrase_ms', 'first_audio_ms', 'total_ms']) {
      assert.equal(typeof end.timings[key], 'number', `timings.${key} in ${JSON.stringify(end.timings)}`);
    }
  });

  test('the second request to the LLM carries the first exchange', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start();
    const before = env.llm.requests.length;
    client.send({ type: 'text_input', text: 'First question' });
    await client.next('response_end');
    client.send({ type: 'text_input', text: 'Second question' });
    await client.next('response_end', { after: 1 });
    await client.close();

    const second = env.llm.requests[before + 1];
    assert.ok(second);
    const messages = (second.body.messages ?? []).filter((m) => m.role !== 'system');
    assert.deepEqual(messages.map((m) => [m.role, m.content]), [
      ['user', 'First question'],
      ['assistant', 'Hello there. The weather is nice today, and it will stay sunny.'],
      ['user', 'Second question'],
    ]);
  });

  test('a system prompt made for speech goes with every request, in the session language', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start({ lang: 'zh' });
    const before = env.llm.requests.length;
    client.send({ type: 'text_input', text: '你好' });
    await client.next('response_end');
    await client.close();
    const system = env.llm.requests[before]?.body.messages?.find((m) => m.role === 'system');
    assert.match(String(system?.content), /语音/);
  });

  test('a tool call reaches the client as tool_call and the answer follows', async () => {
    env.llm.setScript((request) =>
      request.body.messages?.some((m) => m.role === 'tool')
        ? { text: 'It is noon.' }
        : { toolCalls: [{ name: 'current_time', arguments: '{"timeZone":"UTC"}' }] },
    );
    try {
      const client = await TestClient.connect(env.gateway.wsUrl);
      await client.start();
      client.send({ type: 'text_input', text: 'What time is it?' });
      const end = await client.next('response_end');
      await client.close();
      const [call] = client.messages('tool_call');
      assert.equal(call?.name, 'current_time');
      assert.deepEqual(call?.args, { timeZone: 'UTC' });
      assert.equal(client.messages('llm_token').map((m) => m.token).join(''), 'It is noon.');
      assert.equal(end.interrupted, false);
      assert.ok(client.audioBytes() > 0);
    } finally {
      env.llm.setScript({ text: 'Hello there. The weather is nice today, and it will stay sunny.' });
    }
  });

  test('ping gets pong, before and after session_start', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    client.send({ type: 'ping' });
    await client.next('pong');
    await client.start();
    client.send({ type: 'ping' });
    await client.next('pong', { after: 1 });
    await client.close();
  });
});

describe('start-up warm-up', () => {
  const env = useGatewayWithLlm({ text: 'Warm and ready.', tokensPerSecond: 20 }, { agent: { warmUp: true } });

  test('one throwaway request runs the agent path until its first token, then is closed and forgotten', async () => {
    const deadline = Date.now() + 10_000;
    while (env.llm.requests.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const [warmUp] = env.llm.requests;
    assert.ok(warmUp, 'the gateway asked the LLM once at start-up');
    assert.equal(warmUp.body.messages?.at(-1)?.content, 'Hello.');
    assert.equal(await warmUp.ended, 'client-closed');
    // The throwaway thread leaves nothing in a real session's memory.
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start();
    client.send({ type: 'text_input', text: 'Hi' });
    await client.next('response_end');
    await client.close();
    assert.deepEqual(env.llm.requests[1]?.body.messages?.filter((m) => m.role !== 'system').map((m) => m.content), ['Hi']);
  });
});
