import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { loadConfig } from '../config/load.ts';
import type { AgentEvent } from '../contracts/agent.ts';
import { messageOrderError, startLlmServer, type LlmServer } from '../../test/support/llm-server.ts';
import { LangGraphAgent } from './langgraph-agent.ts';
import { CANCELLED_TOOL_RESULT, settleToolCalls } from './tool-call-repair.ts';
import { pino } from 'pino';
import { createCheckpointer, type Checkpointer } from './checkpointer.ts';

const SLOW_TOOL_AGENT = fileURLToPath(new URL('../../test/fixtures/slow-tool-agent.ts', import.meta.url));

/**
 * A user cuts in before, during or after a tool call; the session then keeps what was heard (truncateLastAnswer),
 * as it does on every interrupt. The next turn must be one a strict server accepts (the stand-in refuses bad
 * message order with HTTP 400, as OpenAI and vLLM do).
 */
describe('an interrupt around a tool call leaves memory that a strict server accepts', () => {
  let llm: LlmServer;
  let agent: LangGraphAgent;
  let memory: Checkpointer;
  before(async () => {
    llm = await startLlmServer();
    process.env.SLOW_TOOL_AGENT_LLM_URL = llm.url;
    const config = loadConfig({ env: { S2S_AGENT_MODULE: SLOW_TOOL_AGENT, S2S_LLM_BASE_URL: llm.url } });
    memory = createCheckpointer(config, pino({ level: 'silent' }));
    agent = await LangGraphAgent.create(config, memory);
  });
  after(async () => {
    await agent.close();
    await memory.close();
    await llm.close();
  });

  /** Runs a turn and aborts it when `stopAt` says so; returns what the user heard (the tokens before the stop). */
  async function interruptedTurn(threadId: string, stopAt: (event: AgentEvent) => boolean): Promise<string> {
    const controller = new AbortController();
    let heard = '';
    for await (const event of agent.respond({ threadId, text: 'Where is my order?', lang: 'en', signal: controller.signal })) {
      if (event.type === 'token') heard += event.text;
      if (stopAt(event)) controller.abort();
    }
    assert.ok(controller.signal.aborted, 'the turn was interrupted');
    await agent.truncateLastAnswer(threadId, heard);
    return heard;
  }

  async function nextTurnIsAccepted(threadId: string): Promise<void> {
    llm.setScript({ text: 'Sure.' });
    const before = llm.requests.length;
    let answer = '';
    for await (const event of agent.respond({ threadId, text: 'Never mind. Hello?', lang: 'en', signal: new AbortController().signal })) {
      if (event.type === 'token') answer += event.text;
    }
    const request = llm.requests[before];
    assert.equal(messageOrderError(request?.body ?? {}), undefined);
    assert.equal(answer, 'Sure.');
  }

  test('before: cut while the model is still writing its tool call', async () => {
    llm.setScript({ text: 'Let me check that for you.', toolCalls: [{ name: 'wait', arguments: '{"seconds":0}' }], tokensPerSecond: 50 });
    await interruptedTurn('before', (e) => e.type === 'token');
    await nextTurnIsAccepted('before');
  });

  test('during: cut while the tool runs; the call gets a cancelled result', async () => {
    llm.setScript({ toolCalls: [{ id: 'call_slow', name: 'wait', arguments: '{"seconds":30}' }] });
    await interruptedTurn('during', (e) => e.type === 'tool_call');
    await nextTurnIsAccepted('during');
    const messages = llm.requests.at(-1)?.body.messages ?? [];
    const result = messages.find((m) => m.role === 'tool');
    assert.deepEqual([result?.tool_call_id, result?.content], ['call_slow', CANCELLED_TOOL_RESULT]);
  });

  test('after: cut while the model speaks about the tool result; what was heard follows the result', async () => {
    llm.setScript((request) => (request.body.messages?.at(-1)?.role === 'tool' ? { text: 'It shipped this morning and arrives Thursday.', tokensPerSecond: 20 } : { toolCalls: [{ id: 'call_fast', name: 'wait', arguments: '{"seconds":0}' }] }));
    const heard = await interruptedTurn('after', (e) => e.type === 'token' && e.text.includes('shipped'));
    await nextTurnIsAccepted('after');
    const roles = llm.requests.at(-1)?.body.messages?.map((m) => m.role);
    assert.deepEqual(roles, ['system', 'user', 'assistant', 'tool', 'assistant', 'user']);
    assert.equal(llm.requests.at(-1)?.body.messages?.[4]?.content, heard);
  });
});

describe('settleToolCalls', () => {
  const call = (id: string) => new AIMessage({ content: '', tool_calls: [{ id, name: 'wait', args: {} }] });
  test('answers an unanswered call right after it, and drops a result whose call is not just before it', () => {
    const repaired = settleToolCalls([new HumanMessage('a'), call('c1'), new HumanMessage('b'), new ToolMessage({ tool_call_id: 'late', content: 'x' })]);
    assert.deepEqual(
      repaired?.map((m) => [m.getType(), m instanceof ToolMessage ? m.tool_call_id : '']),
      [['human', ''], ['ai', ''], ['tool', 'c1'], ['human', '']],
    );
  });
  test('leaves valid memory alone', () => {
    assert.equal(settleToolCalls([new HumanMessage('a'), call('c1'), new ToolMessage({ tool_call_id: 'c1', content: 'ok' }), new AIMessage('done')]), undefined);
  });
});
