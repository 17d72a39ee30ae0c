import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SpanKind, SpanStatusCode, context, trace, type AttributeValue } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

// The tracer provider is registered before any gateway module loads, as the `--import` bootstrap does in production.
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const { ATTR, GEN_AI, SPAN } = await import('./tracing.ts');
const { startTestGateway, TEST_TRANSCRIPT } = await import('../../test/support/gateway.ts');
const { startLlmServer } = await import('../../test/support/llm-server.ts');
const { FIXTURES_DIR, readWav, streamPcm } = await import('../../test/support/wav.ts');
const { TestClient } = await import('../../test/support/ws-client.ts');
type TestGateway = Awaited<ReturnType<typeof startTestGateway>>;
type LlmServer = Awaited<ReturnType<typeof startLlmServer>>;
type Client = Awaited<ReturnType<typeof TestClient.connect>>;

const MODEL = 'span-test-model';
const ANSWER = 'Your order ships today. It arrives on Monday morning.';
const PHRASES = ['Your order ships today.', 'It arrives on Monday morning.'];
const LONG_ANSWER = Array.from({ length: 40 }, (_, i) => `Sentence number ${i + 1} is here.`).join(' ');
const QUESTION = 'Where is my order?';
const MIC_16K = { sample_rate: 16_000, format: 'pcm16', channels: 1 };
const orderStatus = readWav(`${FIXTURES_DIR}order-status-en-16k.wav`);
/** Spans end after response_end (the turn's bookkeeping, the session on close): how long to wait for them. */
const SPANS_TIMEOUT_MS = 10_000;

/**
 * The stand-in answers a request for a story slowly and at length, so there is time to interrupt it, and never
 * answers a request to wait.
 */
function startStandIn(): Promise<LlmServer> {
  return startLlmServer({
    model: MODEL,
    script: (request) => {
      const last = request.body.messages?.at(-1)?.content;
      if (typeof last === 'string' && last.includes('story')) return { text: LONG_ANSWER, tokensPerSecond: 40 };
      if (typeof last === 'string' && last.includes('wait')) return { hang: true };
      return { text: ANSWER };
    },
  });
}

/** Polls the exporter until `pick` finds what it wants among the finished spans. */
async function waitForSpans<T>(what: string, pick: (spans: ReadableSpan[]) => T | undefined): Promise<T> {
  const deadline = Date.now() + SPANS_TIMEOUT_MS;
  for (;;) {
    const found = pick(exporter.getFinishedSpans());
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      const names = exporter.getFinishedSpans().map((s) => s.name);
      throw new Error(`no ${what} within ${SPANS_TIMEOUT_MS} ms; finished: ${names.join(', ')}`);
    }
    await sleep(20);
  }
}

const withAttribute = (spans: ReadableSpan[], name: string, key: string, value: AttributeValue) =>
  spans.find((s) => s.name === name && s.attributes[key] === value);

interface TurnTree {
  session: ReadableSpan;
  turn: ReadableSpan;
  /** Every finished span of the session's trace. */
  trace: ReadableSpan[];
  /** The turn's direct children. */
  children: ReadableSpan[];
}

/** The spans of one turn of one session, once both have ended (the caller closes the client first). */
async function turnTree(sessionId: string, turnId: string): Promise<TurnTree> {
  const session = await waitForSpans('session span', (spans) => withAttribute(spans, SPAN.session, ATTR.sessionId, sessionId));
  const turn = await waitForSpans('turn span', (spans) => withAttribute(spans, SPAN.turn, ATTR.turnId, turnId));
  const traceId = session.spanContext().traceId;
  const inTrace = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
  const children = inTrace.filter((s) => s.parentSpanContext?.spanId === turn.spanContext().spanId);
  return { session, turn, trace: inTrace, children };
}

const childrenNamed = (tree: TurnTree, name: string) => tree.children.filter((s) => s.name === name);

function onlyChild(tree: TurnTree, name: string): ReadableSpan {
  const found = childrenNamed(tree, name);
  assert.equal(found.length, 1, `one ${name} under the turn; its children: ${tree.children.map((s) => s.name).join(', ')}`);
  return found[0] as ReadableSpan;
}

function assertNoContent(spans: ReadableSpan[]): void {
  for (const span of spans) {
    assert.equal(span.attributes[ATTR.transcript], undefined, `${span.name} carries no transcript`);
    assert.equal(span.attributes[ATTR.answer], undefined, `${span.name} carries no answer`);
  }
}

/** A text turn on a new session; resolves after the session has closed. */
async function textTurn(gateway: TestGateway, text: string, headers: Record<string, string> = {}) {
  const client = await TestClient.connect(gateway.wsUrl, headers);
  const started = await client.start();
  client.send({ type: 'text_input', text });
  const end = await client.next('response_end');
  await client.close();
  assert.deepEqual(client.protocolErrors, []);
  return { sessionId: started.session_id, turnId: end.turn_id, client };
}

/** A push-to-talk turn: the fixture sent at once, then audio_end. */
async function voiceTurn(gateway: TestGateway) {
  const client = await TestClient.connect(gateway.wsUrl);
  const started = await client.start({ audio: MIC_16K });
  await streamPcm((bytes) => client.sendAudio(bytes), orderStatus, { speed: Infinity });
  client.send({ type: 'audio_end' });
  const end = await client.next('response_end');
  await client.close();
  return { sessionId: started.session_id, turnId: end.turn_id };
}

async function firstAudio(client: Client): Promise<void> {
  await client.next('tts_start');
  while (client.audioBytes() === 0) await sleep(5);
}

describe('span tree of turns against a real gateway (traceContent off)', () => {
  let llm: LlmServer;
  let gateway: TestGateway;

  before(async () => {
    llm = await startStandIn();
    gateway = await startTestGateway({ llm: { baseUrl: llm.url, model: MODEL, firstTokenTimeoutMs: 1_000 } });
  });
  after(async () => {
    await gateway.close();
    await llm.close();
  });

  test('a text turn: s2s.session > s2s.turn > s2s.agent > chat <model>, one s2s.tts.synthesize per phrase, s2s.playback', async () => {
    const { sessionId, turnId } = await textTurn(gateway, QUESTION);
    const tree = await turnTree(sessionId, turnId);
    const { session, turn } = tree;

    assert.equal(session.parentSpanContext, undefined, 'no traceparent: the session is a root');
    assert.deepEqual(
      [session.attributes[ATTR.lang], session.attributes[ATTR.ttsVoice], session.attributes[ATTR.sessionResumed]],
      ['en', 'test-voice', false],
    );
    assert.equal(turn.parentSpanContext?.spanId, session.spanContext().spanId);
    assert.equal(turn.attributes[ATTR.interrupted], false);
    assert.equal(turn.attributes[ATTR.turnOutcome], 'completed');
    assert.equal(turn.attributes[ATTR.textChars], ANSWER.length);

    const agent = onlyChild(tree, SPAN.agent);
    assert.equal(agent.attributes[ATTR.textChars], QUESTION.length);
    const chats = tree.trace.filter((s) => s.parentSpanContext?.spanId === agent.spanContext().spanId);
    assert.deepEqual(chats.map((s) => s.name), [`chat ${MODEL}`]);
    const chat = chats[0] as ReadableSpan;
    assert.equal(chat.kind, SpanKind.CLIENT);
    assert.equal(chat.attributes[GEN_AI.operationName], 'chat');
    assert.equal(chat.attributes[GEN_AI.requestModel], MODEL);
    assert.equal(chat.attributes[GEN_AI.providerName], 'openai');
    const firstChunkS = chat.attributes[GEN_AI.responseTimeToFirstChunk];
    assert.ok(typeof firstChunkS === 'number' && firstChunkS >= 0, `time to first chunk ${firstChunkS}`);
    // The stand-in counts words: the answer's tokens, and the system prompt plus question for the input.
    assert.equal(chat.attributes[GEN_AI.usageOutputTokens], ANSWER.split(' ').length);
    assert.ok(Number(chat.attributes[GEN_AI.usageInputTokens]) >= QUESTION.split(' ').length);

    const phrases = childrenNamed(tree, SPAN.ttsSynthesize);
    assert.deepEqual(phrases.map((s) => s.attributes[ATTR.textChars]).sort(), PHRASES.map((p) => p.length).sort());
    for (const phrase of phrases) assert.equal(phrase.attributes[ATTR.ttsVoice], 'test-voice');
    const playback = onlyChild(tree, SPAN.playback);
    assert.equal(playback.attributes[ATTR.ttsVoice], 'test-voice');
    assert.ok(Number(playback.attributes[ATTR.audioSeconds]) > 0);
    assert.deepEqual(childrenNamed(tree, SPAN.vadEndpoint), [], 'a typed turn has no VAD stage');
    assertNoContent(tree.trace);
  });

  test('a push-to-talk voice turn: VAD endpoint and ASR spans under the turn, the whole turn in one trace', async () => {
    const { sessionId, turnId } = await voiceTurn(gateway);
    const tree = await turnTree(sessionId, turnId);
    const traceId = tree.session.spanContext().traceId;
    assert.equal(tree.turn.spanContext().traceId, traceId);
    const names = tree.children.map((s) => s.name);
    for (const name of [SPAN.vadEndpoint, SPAN.asrTranscribe, SPAN.agent, SPAN.ttsSynthesize, SPAN.playback]) {
      assert.ok(names.includes(name), `${name} under the turn; got ${names.join(', ')}`);
    }
    const vad = onlyChild(tree, SPAN.vadEndpoint);
    assert.ok(Number(vad.attributes[ATTR.audioSeconds]) > 0);
    const asr = onlyChild(tree, SPAN.asrTranscribe);
    assert.equal(asr.attributes[ATTR.lang], 'en');
    assert.equal(asr.attributes[ATTR.textChars], TEST_TRANSCRIPT.length);
    assert.ok(Number(asr.attributes[ATTR.audioSeconds]) > 0);
    assert.equal(onlyChild(tree, SPAN.agent).attributes[ATTR.textChars], TEST_TRANSCRIPT.length);
    assert.ok(tree.trace.some((s) => s.name === `chat ${MODEL}`));
    // Nothing of this session's work escaped into another trace.
    const stray = exporter
      .getFinishedSpans()
      .filter((s) => s.attributes[ATTR.turnId] === turnId || s.attributes[ATTR.sessionId] === sessionId)
      .filter((s) => s.spanContext().traceId !== traceId);
    assert.deepEqual(stray, []);
    assertNoContent(tree.trace);
  });

  test('an interrupted turn: its span says s2s.interrupted=true and every span of it ends', async () => {
    const client = await TestClient.connect(gateway.wsUrl);
    const started = await client.start();
    client.send({ type: 'text_input', text: 'Tell me a long story' });
    await firstAudio(client);
    client.send({ type: 'interrupt' });
    const end = await client.next('response_end');
    assert.equal(end.interrupted, true);
    await client.close();

    const tree = await turnTree(started.session_id, end.turn_id);
    assert.equal(tree.turn.attributes[ATTR.interrupted], true);
    assert.equal(tree.turn.attributes[ATTR.turnOutcome], 'interrupted');
    const agent = onlyChild(tree, SPAN.agent);
    assert.equal(agent.attributes[ATTR.interrupted], true);
    onlyChild(tree, SPAN.playback);
    assert.ok(childrenNamed(tree, SPAN.ttsSynthesize).length >= 1);
    // The LLM call was cut off mid-stream: its span ends too, as interrupted rather than as an LLM failure.
    const chat = await waitForSpans('chat span of the interrupted turn', (spans) =>
      spans.find((s) => s.parentSpanContext?.spanId === agent.spanContext().spanId),
    );
    assert.equal(chat.name, `chat ${MODEL}`);
    assert.equal(chat.attributes[ATTR.interrupted], true);
    assert.notEqual(chat.status.code, SpanStatusCode.ERROR);
    for (const span of tree.trace) assert.notEqual(span.status.code, SpanStatusCode.ERROR, `${span.name} is not an error`);
    assertNoContent(tree.trace);
  });

  test('an LLM that never answers: the chat, agent and turn spans end as failed with error.type llm_timeout', async () => {
    const client = await TestClient.connect(gateway.wsUrl);
    const started = await client.start();
    client.send({ type: 'text_input', text: 'Please wait' });
    assert.equal((await client.next('error')).code, 'llm_timeout');
    const end = await client.next('response_end');
    await client.close();

    const tree = await turnTree(started.session_id, end.turn_id);
    assert.equal(tree.turn.attributes[ATTR.turnOutcome], 'failed');
    assert.equal(tree.turn.attributes[ATTR.interrupted], false);
    const agent = onlyChild(tree, SPAN.agent);
    const chat = tree.trace.find((s) => s.parentSpanContext?.spanId === agent.spanContext().spanId);
    for (const span of [agent, chat]) {
      assert.equal(span?.status.code, SpanStatusCode.ERROR, span?.name);
      assert.equal(span?.attributes['error.type'], 'llm_timeout', span?.name);
      assert.equal(span?.attributes[ATTR.interrupted], undefined, span?.name);
    }
  });

  test("a W3C traceparent on the WebSocket upgrade makes the session a child of the client's span", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentSpanId = '00f067aa0ba902b7';
    const { sessionId, turnId } = await textTurn(gateway, QUESTION, { traceparent: `00-${traceId}-${parentSpanId}-01` });
    const tree = await turnTree(sessionId, turnId);
    assert.equal(tree.session.spanContext().traceId, traceId);
    assert.equal(tree.session.parentSpanContext?.spanId, parentSpanId);
    assert.equal(tree.session.parentSpanContext?.isRemote, true);
    assert.equal(tree.turn.spanContext().traceId, traceId);
    assert.ok(tree.children.length >= 3, 'the turn and its stages live in the client trace');
  });
});

describe('span content with traceContent on', () => {
  let llm: LlmServer;
  let gateway: TestGateway;

  before(async () => {
    llm = await startStandIn();
    gateway = await startTestGateway({ llm: { baseUrl: llm.url, model: MODEL }, traceContent: true });
  });
  after(async () => {
    await gateway.close();
    await llm.close();
  });

  test('the question goes on the agent span and the spoken answer on the turn span', async () => {
    const { sessionId, turnId } = await textTurn(gateway, QUESTION);
    const tree = await turnTree(sessionId, turnId);
    assert.equal(onlyChild(tree, SPAN.agent).attributes[ATTR.transcript], QUESTION);
    assert.equal(tree.turn.attributes[ATTR.answer], ANSWER);
  });

  test('the transcript goes on the ASR span of a voice turn', async () => {
    const { sessionId, turnId } = await voiceTurn(gateway);
    const tree = await turnTree(sessionId, turnId);
    assert.equal(onlyChild(tree, SPAN.asrTranscribe).attributes[ATTR.transcript], TEST_TRANSCRIPT);
  });
});
