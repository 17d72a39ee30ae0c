import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { startEmbeddingsServer, type EmbeddingsServer } from '../../test/support/embeddings-server.ts';
import { useGatewayWithLlm } from '../../test/support/gateway.ts';
import { knowledgeAgentScript, offeredTools } from '../../test/support/knowledge-agent-script.ts';
import { startQdrantServer, type QdrantServer } from '../../test/support/qdrant-server.ts';
import { TestClient } from '../../test/support/ws-client.ts';
import { buildKnowledgeProgram } from '../knowledge/cli.ts';

const CORPUS = new URL('../../test/fixtures/knowledge/', import.meta.url).pathname;
// Long enough that a loaded machine answers a fast failure within it; a hung peer waits it out.
const BUDGET_MS = 3_000;

let embeddings: EmbeddingsServer;
let qdrant: QdrantServer;
let dir: string;
let closedPort: number;

async function knowledgeCli(env: Record<string, string>, ...args: string[]): Promise<void> {
  const program = buildKnowledgeProgram({ stdout: new PassThrough(), stderr: new PassThrough(), env, signal: new AbortController().signal });
  await program.parseAsync(['node', 'knowledge', ...args]);
}

before(async () => {
  embeddings = await startEmbeddingsServer();
  qdrant = await startQdrantServer();
  dir = await mkdtemp(join(tmpdir(), 'knowledge-failures-'));
  await knowledgeCli({ S2S_EMBEDDINGS_BASE_URL: embeddings.url, S2S_KNOWLEDGE_DIR: join(dir, 'full') }, 'ingest', CORPUS);
  await knowledgeCli({ S2S_EMBEDDINGS_BASE_URL: embeddings.url, S2S_QDRANT_URL: qdrant.url }, 'ingest', CORPUS);
  // A store that had documents and has none now.
  await knowledgeCli({ S2S_EMBEDDINGS_BASE_URL: embeddings.url, S2S_KNOWLEDGE_DIR: join(dir, 'emptied') }, 'ingest', CORPUS);
  await knowledgeCli({ S2S_EMBEDDINGS_BASE_URL: embeddings.url, S2S_KNOWLEDGE_DIR: join(dir, 'emptied') }, 'remove', CORPUS);
  // A port nothing listens on: a Qdrant that is down.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

after(async () => {
  await embeddings.close();
  await qdrant.close();
  await rm(dir, { recursive: true, force: true });
});

/** One text turn; what the client received and the LLM requests it caused. */
async function ask(env: ReturnType<typeof useGatewayWithLlm>, text: string) {
  const client = await TestClient.connect(env.gateway.wsUrl);
  await client.start();
  const before = env.llm.requests.length;
  client.send({ type: 'text_input', text });
  const end = await client.next('response_end');
  await client.close();
  assert.deepEqual(client.protocolErrors, []);
  return { client, end, requests: env.llm.requests.slice(before), answer: client.messages('llm_token').map((m) => m.token).join('') };
}

describe('the embedded store with a slow or failing embeddings server', () => {
  const env = useGatewayWithLlm(knowledgeAgentScript, () => ({
    embeddings: { baseUrl: embeddings.url, retries: 0 },
    knowledge: { dir: join(dir, 'full'), timeoutMs: BUDGET_MS, minScore: 0.2 },
  }));

  test('a search past knowledge.timeoutMs gives knowledge_timeout and the answer goes on without it', async () => {
    embeddings.setBehaviour({ hang: true });
    try {
      const { client, end, requests, answer } = await ask(env, 'How long does a refund for the Aurora X2 headset take?');
      const [error] = client.messages('error');
      assert.equal(error?.code, 'knowledge_timeout');
      assert.equal(error?.recoverable, true);
      assert.equal(error?.turn_id, end.turn_id);
      assert.match(String(requests[1]?.body.messages?.at(-1)?.content), /cannot be searched right now/);
      assert.equal(answer, 'I cannot look that up right now.');
      assert.equal(end.interrupted, false);
      assert.ok(client.audioBytes() > 0);
    } finally {
      embeddings.setBehaviour({});
    }
  });

  test('an embeddings server answering 500 gives knowledge_unavailable and the answer goes on', async () => {
    embeddings.setBehaviour({ httpStatus: 500 });
    try {
      const { client, answer } = await ask(env, 'Where is the repair centre?');
      assert.deepEqual(client.messages('error').map((e) => e.code), ['knowledge_unavailable']);
      assert.equal(answer, 'I cannot look that up right now.');
    } finally {
      embeddings.setBehaviour({});
    }
  });

  test('a question the documents do not answer gets an honest "I do not know"', async () => {
    const { client, requests, answer } = await ask(env, 'What is the capital of Mongolia?');
    assert.deepEqual(client.messages('error'), []);
    assert.deepEqual(client.messages('tool_call')[0]?.sources, []);
    assert.match(String(requests[1]?.body.messages?.at(-1)?.content), /Tell the user plainly that you do not know/);
    assert.equal(answer, 'I am sorry, I do not know.');
  });
});

describe('an empty embedded store', () => {
  const env = useGatewayWithLlm(knowledgeAgentScript, () => ({ embeddings: { baseUrl: embeddings.url }, knowledge: { dir: join(dir, 'emptied') } }));

  test('offers no search tool, so nothing is searched and the model answers as a plain chat', async () => {
    const asked = embeddings.requests.length;
    const { client, requests, answer } = await ask(env, 'How long does a refund take?');
    assert.deepEqual(offeredTools(requests[0]), ['current_time']);
    assert.doesNotMatch(String(requests[0]?.body.messages?.find((m) => m.role === 'system')?.content), /search_knowledge/);
    assert.deepEqual(client.messages('error'), []);
    assert.equal(embeddings.requests.length, asked);
    assert.equal(answer, 'I can only chat.');
  });
});

describe('Qdrant down', () => {
  const env = useGatewayWithLlm(knowledgeAgentScript, () => ({
    embeddings: { baseUrl: embeddings.url },
    qdrantUrl: `http://127.0.0.1:${closedPort}`,
    // A refused connection fails at once: a generous budget keeps a loaded machine from turning it into a timeout.
    knowledge: { timeoutMs: 20_000 },
  }));

  test('the tool stays offered, the search fails with knowledge_unavailable, and the answer goes on', async () => {
    const { client, requests, answer, end } = await ask(env, 'How long does a refund take?');
    assert.deepEqual(offeredTools(requests[0]), ['current_time', 'search_knowledge']);
    assert.deepEqual(client.messages('error').map((e) => e.code), ['knowledge_unavailable']);
    assert.equal(answer, 'I cannot look that up right now.');
    assert.equal(end.interrupted, false);
  });
});

describe('Qdrant slow', () => {
  const env = useGatewayWithLlm(knowledgeAgentScript, () => ({
    embeddings: { baseUrl: embeddings.url },
    qdrantUrl: qdrant.url,
    knowledge: { timeoutMs: BUDGET_MS },
  }));

  test('a store slower than knowledge.timeoutMs is left at the deadline with knowledge_timeout', async () => {
    qdrant.setDelayMs(60_000);
    try {
      const { client, answer } = await ask(env, 'How long does a refund for the Aurora X2 headset take?');
      assert.deepEqual(client.messages('error').map((e) => e.code), ['knowledge_timeout']);
      assert.equal(answer, 'I cannot look that up right now.');
    } finally {
      qdrant.setDelayMs(0);
    }
    assert.deepEqual(qdrant.violations, []);
  });
});
