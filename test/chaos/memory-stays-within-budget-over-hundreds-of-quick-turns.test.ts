import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BaseMessage } from '@langchain/core/messages';
import { conversationOf, textTurn } from '../support/chaos.ts';
import { useGatewayWithLlm } from '../support/gateway.ts';
import { TestClient } from '../support/ws-client.ts';

const TURNS = 200;

describe('conversation memory over many quick turns', () => {
  const env = useGatewayWithLlm({ text: 'Noted.' }, { memory: { maxTokens: 400 }, limits: { maxTurnsPerMinute: 10_000 } });

  test(`after ${TURNS} quick turns the next LLM request and the stored conversation stay within memory.maxTokens, system prompt first`, { timeout: 600_000 }, async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    const started = await client.start();
    for (let i = 0; i < TURNS; i++) assert.equal((await textTurn(client, `Question number ${i} about my order`)).ok, true);
    const last = env.llm.requests.at(-1)!.body.messages ?? [];
    assert.equal(last[0]?.role, 'system', 'the system prompt is never dropped');
    const history = conversationOf(env.llm, env.llm.requests.length - 1);
    assert.deepEqual(history.at(-1), ['user', `Question number ${TURNS - 1} about my order`]);
    assert.equal(history[0]?.[0], 'user', 'history starts at a whole exchange');
    // 400 tokens at about 20 per exchange: some 20 exchanges, far from the 400 messages of 200 turns.
    assert.ok(history.length >= 10 && history.length <= 60, `${history.length} messages in the request`);
    const stored = await env.gateway.runtime.memory.saver.getTuple({ configurable: { thread_id: started.session_id } });
    const messages = (stored?.checkpoint.channel_values as { messages?: BaseMessage[] } | undefined)?.messages ?? [];
    assert.ok(messages.length <= 62, `${messages.length} messages stored`);
    await client.close();
  });
});

describe('a failed turn', () => {
  const env = useGatewayWithLlm((request) => (request.index === 1 ? { httpStatus: 500 } : { text: 'Your order ships on Monday.' }));

  test('leaves no unanswered user message in memory', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start();
    assert.equal((await textTurn(client, 'When does my order ship?')).ok, true);
    const failed = await textTurn(client, 'Something that fails');
    assert.equal(failed.ok, false);
    assert.equal((await textTurn(client, 'And when will it arrive?')).ok, true);
    assert.deepEqual(conversationOf(env.llm, env.llm.requests.length - 1), [
      ['user', 'When does my order ship?'],
      ['assistant', 'Your order ships on Monday.'],
      ['user', 'And when will it arrive?'],
    ]);
    await client.close();
  });
});
