import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startEmbeddingsServer, type EmbeddingsServer } from '../../test/support/embeddings-server.ts';
import { useGatewayWithLlm } from '../../test/support/gateway.ts';
import { knowledgeAgentScript, offeredTools } from '../../test/support/knowledge-agent-script.ts';
import { FIXTURES_DIR, readWav, streamPcm } from '../../test/support/wav.ts';
import { TestClient } from '../../test/support/ws-client.ts';
import { buildKnowledgeProgram } from '../knowledge/cli.ts';
import { GEN_AI, KNOWLEDGE_ATTR } from '../observability/tracing.ts';

// Registered before the first span starts, as the `--import` bootstrap does in production.
const spans = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));

const CORPUS = new URL('../../test/fixtures/knowledge/', import.meta.url).pathname;

/**
 * The whole path a user takes: `npm run knowledge -- ingest` into the embedded store, then turns whose answers
 * need a fact that only the documents hold. The LLM and the embeddings server are loopback stand-ins (no weights
 * here); the store, the tool, the agent graph and the gateway are the real ones.
 */
let embeddings: EmbeddingsServer;
let dir: string;

before(async () => {
  embeddings = await startEmbeddingsServer();
  dir = await mkdtemp(join(tmpdir(), 'knowledge-agent-'));
  const env = { S2S_EMBEDDINGS_BASE_URL: embeddings.url, S2S_KNOWLEDGE_DIR: dir };
  const program = buildKnowledgeProgram({ stdout: new PassThrough(), stderr: new PassThrough(), env, signal: new AbortController().signal });
  await program.parseAsync(['node', 'knowledge', 'ingest', CORPUS]);
});

after(async () => {
  await embeddings.close();
  await rm(dir, { recursive: true, force: true });
});

const knowledgeConfig = () => ({ embeddings: { baseUrl: embeddings.url }, knowledge: { dir } });

describe('a text turn answered from the ingested documents', () => {
  const env = useGatewayWithLlm(knowledgeAgentScript, knowledgeConfig);

  test('the model is offered search_knowledge, the client gets the sources, and the next LLM request carries the passage', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start();
    const before = env.llm.requests.length;
    client.send({ type: 'text_input', text: 'How long does a refund for the Aurora X2 headset take?' });
    const end = await client.next('response_end');
    await client.close();

    assert.deepEqual(client.protocolErrors, []);
    assert.deepEqual(client.messages('error'), []);
    const [first, second] = env.llm.requests.slice(before);
    assert.deepEqual(offeredTools(first), ['current_time', 'search_knowledge']);
    const system = String(first?.body.messages?.find((m) => m.role === 'system')?.content);
    assert.match(system, /search_knowledge/);
    assert.match(system, /Never read out file names/);

    const [call] = client.messages('tool_call');
    assert.equal(call?.name, 'search_knowledge');
    assert.deepEqual(call?.args, { query: 'How long does a refund for the Aurora X2 headset take?' });
    assert.equal(call?.sources?.[0]?.title, 'returns-policy.md');
    assert.equal(call?.sources?.[0]?.section, 'Aurora Outfitters handbook > Refunds');
    assert.match(call?.sources?.[0]?.excerpt ?? '', /seventeen business days/);

    const passage = second?.body.messages?.at(-1);
    assert.equal(passage?.role, 'tool');
    assert.match(String(passage?.content), /A refund for the Aurora X2 headset is paid back to the original card within seventeen business days/);
    assert.doesNotMatch(String(passage?.content), /returns-policy|\.md|\[\d\]/, 'nothing the voice would read aloud as a citation');
    assert.equal(client.messages('llm_token').map((m) => m.token).join(''), 'A refund for that headset takes seventeen business days.');
    assert.equal(end.interrupted, false);
    assert.ok(client.audioBytes() > 0, 'the answer was spoken');

    const span = spans.getFinishedSpans().find((s) => s.name === 'execute_tool search_knowledge');
    assert.equal(span?.attributes[GEN_AI.toolName], 'search_knowledge');
    assert.deepEqual((span?.attributes[KNOWLEDGE_ATTR.sources] as string[] | undefined)?.[0], 'returns-policy.md > Aurora Outfitters handbook > Refunds');
    assert.equal((span?.attributes[KNOWLEDGE_ATTR.scores] as number[] | undefined)?.length, call?.sources?.length);
  });

  test('a Chinese question finds the Chinese passage, with the Chinese instructions', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start({ lang: 'zh' });
    const before = env.llm.requests.length;
    client.send({ type: 'text_input', text: '极光X2耳机的保修期是多久？' });
    await client.next('response_end');
    await client.close();

    const [first, second] = env.llm.requests.slice(before);
    assert.match(String(first?.body.messages?.find((m) => m.role === 'system')?.content), /不要读出文件名/);
    assert.match(String(second?.body.messages?.at(-1)?.content), /极光X2耳机的保修期是二十七个月/);
    assert.equal(client.messages('tool_call')[0]?.sources?.[0]?.title, '保修政策.md');
    assert.equal(client.messages('llm_token').map((m) => m.token).join(''), '极光X2耳机的保修期是二十七个月。');
  });
});

describe('a voice turn answered from the ingested documents', () => {
  const env = useGatewayWithLlm(knowledgeAgentScript, () => ({ ...knowledgeConfig(), asrPhrase: 'How long does the Aurora X2 headset refund take?' }));

  test('the transcript is searched and the spoken answer comes from the passage', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start({ audio: { sample_rate: 16_000, format: 'pcm16', channels: 1 } });
    const before = env.llm.requests.length;
    await streamPcm((b) => client.sendAudio(b), readWav(`${FIXTURES_DIR}order-status-en-16k.wav`), { speed: Infinity });
    client.send({ type: 'audio_end' });
    assert.equal((await client.next('asr_final')).text, 'How long does the Aurora X2 headset refund take?');
    await client.next('response_end');
    await client.close();

    assert.equal(client.messages('tool_call')[0]?.sources?.[0]?.section, 'Aurora Outfitters handbook > Refunds');
    assert.match(String(env.llm.requests[before + 1]?.body.messages?.at(-1)?.content), /seventeen business days/);
    assert.ok(client.audioBytes() > 0);
  });
});
