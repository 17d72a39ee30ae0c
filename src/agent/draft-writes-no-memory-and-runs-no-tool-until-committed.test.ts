import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../config/load.ts';
import type { AgentEvent } from '../contracts/agent.ts';
import { until } from '../../test/support/until.ts';
import { startLlmServer, type LlmServer } from '../../test/support/llm-server.ts';
import { LangGraphAgent } from './langgraph-agent.ts';
import { pino } from 'pino';
import { createCheckpointer, type Checkpointer } from './checkpointer.ts';

const POSTGRES_URL = process.env.S2S_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Every answer starts with a current_time call; with the tool's result the model says the time. */
const script = (request: { body: { messages?: Array<{ role: string }> } }) =>
  request.body.messages?.some((m) => m.role === 'tool') ? { text: 'It is noon.' } : { toolCalls: [{ id: 'call_t', name: 'current_time', arguments: '{}' }] };

for (const store of ['in memory', 'PostgreSQL'] as const) {
  describe(`a speculative (draft) turn, memory ${store}`, () => {
    let llm: LlmServer;
    let agent: LangGraphAgent;
    let memory: Checkpointer;
    before(async () => {
      llm = await startLlmServer({ script });
      const env: NodeJS.ProcessEnv = { S2S_LLM_BASE_URL: llm.url, ...(store === 'PostgreSQL' && { S2S_POSTGRES_URL: POSTGRES_URL }) };
      const config = loadConfig({ env });
      memory = createCheckpointer(config, pino({ level: 'silent' }));
      agent = await LangGraphAgent.create(config, memory);
      // Postgres memory prepares its tables in the background: a turn before that is refused (memory_unavailable).
      if (store === 'PostgreSQL') await until('Postgres memory reachable', () => memory.status()?.reachable);
    });
    after(async () => {
      await agent.close();
      await memory.close();
      await llm.close();
    });

    async function draft(threadId: string, decide: (events: AgentEvent[]) => Promise<boolean>) {
      const events: AgentEvent[] = [];
      const decision = Promise.withResolvers<boolean>();
      const controller = new AbortController();
      const run = (async () => {
        for await (const event of agent.respond({ threadId, text: 'What time is it?', lang: 'en', signal: controller.signal, commit: decision.promise })) events.push(event);
      })();
      const commit = await decide(events);
      decision.resolve(commit);
      if (!commit) controller.abort();
      await run;
      return events;
    }

    const messagesOf = async (threadId: string) =>
      ((await agent.checkpointer.getTuple({ configurable: { thread_id: threadId } }))?.checkpoint.channel_values.messages as unknown[] | undefined) ?? [];

    test('stops at its tool call, writes nothing, and a drop leaves memory as it was', async () => {
      const threadId = randomUUID();
      const requestsBefore = llm.requests.length;
      await draft(threadId, async () => {
        // The model asked for the tool (a built-in tool's tool_call event goes out with its result, after commit).
        await until('the LLM request', () => llm.requests.length > requestsBefore);
        // Held at the call: no second LLM request (which would carry the tool's result) comes.
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(llm.requests.length, requestsBefore + 1, 'the tool did not run before the commit');
        assert.deepEqual(await messagesOf(threadId), [], 'nothing in memory while a draft');
        return false;
      });
      assert.deepEqual(await messagesOf(threadId), [], 'nothing in memory after the drop');
    });

    test('once committed, the tool runs on the real thread and memory holds the whole exchange', async () => {
      const threadId = randomUUID();
      const requestsBefore = llm.requests.length;
      const events = await draft(threadId, async () => {
        await until('the LLM request', () => llm.requests.length > requestsBefore);
        return true;
      });
      assert.ok(events.some((e) => e.type === 'tool_call'), 'the tool call is reported once it ran');
      assert.equal(events.filter((e) => e.type === 'token').map((e) => (e as { text: string }).text).join(''), 'It is noon.');
      const roles = llm.requests.at(-1)?.body.messages?.map((m) => m.role);
      assert.deepEqual(roles, ['system', 'user', 'assistant', 'tool']);
      assert.equal((await messagesOf(threadId)).length, 4, 'user, tool call, tool result, answer');
    });
  });
}
