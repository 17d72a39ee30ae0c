import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { startTestGateway, type TestGateway } from '../../test/support/gateway.ts';
import { startLlmServer, type LlmServer } from '../../test/support/llm-server.ts';
import { TestClient } from '../../test/support/ws-client.ts';
import { loadAgentModule } from './module.ts';
import { MemorySaver } from '@langchain/langgraph';

const CUSTOM_AGENT = fileURLToPath(new URL('../../test/fixtures/custom-agent.ts', import.meta.url));

describe('S2S_AGENT_MODULE: a user brings their own LangGraph agent', () => {
  test('its graph answers, streams tokens and speech, and remembers through the gateway checkpointer', async () => {
    const llm: LlmServer = await startLlmServer({ script: { text: 'Arr, ahoy there.' } });
    process.env.CUSTOM_AGENT_LLM_URL = llm.url;
    let gateway: TestGateway | undefined;
    try {
      gateway = await startTestGateway({ agent: { module: CUSTOM_AGENT } });
      const client = await TestClient.connect(gateway.wsUrl);
      await client.start();
      client.send({ type: 'text_input', text: 'Hello' });
      await client.next('response_end');
      client.send({ type: 'text_input', text: 'Again' });
      await client.next('response_end', { after: 1 });
      await client.close();
      assert.equal(client.messages('llm_token').map((m) => m.token).join(''), 'Arr, ahoy there.Arr, ahoy there.');
      assert.ok(client.audioBytes() > 0);
      const second = llm.requests[1]?.body;
      assert.equal(second?.model, 'custom-agent-model');
      assert.deepEqual(second?.messages?.map((m) => [m.role, m.content]), [
        ['system', 'You are a pirate.'],
        ['user', 'Hello'],
        ['assistant', 'Arr, ahoy there.'],
        ['user', 'Again'],
      ]);
    } finally {
      await gateway?.close();
      await llm.close();
    }
  });

  test('a module that does not export a graph is refused with a message naming S2S_AGENT_MODULE', async () => {
    await assert.rejects(loadAgentModule('node:path', new MemorySaver()), /S2S_AGENT_MODULE.*compiled LangGraph graph/);
    await assert.rejects(loadAgentModule('/nonexistent/agent.ts', new MemorySaver()), /cannot load the agent module \/nonexistent\/agent.ts \(S2S_AGENT_MODULE\)/);
  });
});
