import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLOSE_CODES } from './close-codes.ts';
import { startTestGateway, useGatewayWithLlm } from '../../../test/support/gateway.ts';
import { startLlmServer } from '../../../test/support/llm-server.ts';
import { TestClient } from '../../../test/support/ws-client.ts';

const LONG_ANSWER = Array.from({ length: 40 }, (_, i) => `Sentence number ${i + 1} is here.`).join(' ');

describe('interrupting a response', () => {
  const env = useGatewayWithLlm({ text: LONG_ANSWER, tokensPerSecond: 40 });

  const audioIndexAfter = (client: TestClient, index: number) =>
    client.received.findIndex((r, i) => i > index && r.kind === 'audio');

  test('interrupt ends the turn with response_end{interrupted}, sends no audio after it and closes the LLM request', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start();
    const requestIndex = env.llm.requests.length;
    client.send({ type: 'text_input', text: 'Tell me a long story' });
    await client.next('tts_start');
    while (client.audioBytes() === 0) await new Promise((r) => setTimeout(r, 5));
    client.send({ type: 'interrupt' });
    const end = await client.next('response_end');
    assert.equal(end.interrupted, true);

    const request = env.llm.requests[requestIndex];
    assert.ok(request);
    assert.equal(await request.ended, 'client-closed');
    // Give any straggling frame time to show up before checking there is none.
    await new Promise((r) => setTimeout(r, 300));
    const endIndex = client.received.findIndex((r) => r.kind === 'message' && r.message.type === 'response_end');
    assert.equal(audioIndexAfter(client, endIndex), -1, 'no audio after response_end');
    assert.equal(client.received.filter((r) => r.kind === 'message' && r.message.type === 'tts_end').length, 1);
    assert.ok(client.messages('llm_token').length < 40 * 5, 'the answer was cut short');
    await client.close();
  });

  test('memory keeps only what was sent before the interrupt', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start();
    client.send({ type: 'text_input', text: 'Tell me a long story' });
    await client.next('tts_start');
    while (client.audioBytes() === 0) await new Promise((r) => setTimeout(r, 5));
    client.send({ type: 'interrupt' });
    await client.next('response_end');
    const next = env.llm.requests.length;
    env.llm.setScript({ text: 'Fine.' });
    try {
      client.send({ type: 'text_input', text: 'Stop' });
      await client.next('response_end', { after: 1 });
    } finally {
      env.llm.setScript({ text: LONG_ANSWER, tokensPerSecond: 40 });
    }
    await client.close();
    const messages = (env.llm.requests[next]?.body.messages ?? []).filter((m) => m.role !== 'system');
    assert.equal(messages.length, 3, JSON.stringify(messages));
    const heard = String(messages[1]?.content);
    assert.equal(messages[1]?.role, 'assistant');
    assert.ok(heard.length > 0 && LONG_ANSWER.startsWith(heard.replace(/\s+/g, ' ').slice(0, 20)), heard);
    assert.ok(heard.length < LONG_ANSWER.length, 'the stored answer is shorter than the full one');
  });

  test('playback.played_ms cuts the stored answer to what the client played', async () => {
    env.llm.setScript({ text: 'One two three four. Five six seven eight. Nine ten eleven twelve.' });
    try {
      const client = await TestClient.connect(env.gateway.wsUrl);
      await client.start();
      client.send({ type: 'text_input', text: 'Count' });
      const end = await client.next('response_end');
      client.send({ type: 'playback', turn_id: end.turn_id, played_ms: 1 });
      const next = env.llm.requests.length;
      client.send({ type: 'text_input', text: 'Again' });
      await client.next('response_end', { after: 1 });
      await client.close();
      const messages = (env.llm.requests[next]?.body.messages ?? []).filter((m) => m.role !== 'system');
      // 1 ms of audio is not one whole word: the assistant's answer is gone from memory.
      assert.deepEqual(messages.map((m) => m.role), ['user', 'user']);
    } finally {
      env.llm.setScript({ text: LONG_ANSWER, tokensPerSecond: 40 });
    }
  });

  test('a new text_input during a response interrupts it first', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start();
    client.send({ type: 'text_input', text: 'Tell me a long story' });
    await client.next('llm_token');
    client.send({ type: 'text_input', text: 'Never mind' });
    const first = await client.next('response_end');
    assert.equal(first.interrupted, true);
    await client.next('llm_token', { where: (m) => m.turn_id !== first.turn_id });
    client.send({ type: 'interrupt' });
    const second = await client.next('response_end', { after: 1 });
    assert.notEqual(second.turn_id, first.turn_id);
    await client.close();
  });
});

describe('shutting down', () => {
  test('a gateway closing mid-answer ends the turn, then closes the connection with the reconnect code', async () => {
    const llm = await startLlmServer({ script: { text: LONG_ANSWER, tokensPerSecond: 40 } });
    const gateway = await startTestGateway({ llm: { baseUrl: llm.url } });
    try {
      const client = await TestClient.connect(gateway.wsUrl);
      await client.start();
      client.send({ type: 'text_input', text: 'Tell me a long story' });
      await client.next('tts_start');
      const closed = client.closed();
      await gateway.close();
      assert.equal((await closed).code, CLOSE_CODES.shutting_down);
      assert.equal(client.messages('response_end')[0]?.interrupted, true);
    } finally {
      await gateway.close();
      await llm.close();
    }
  });
});
