import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { setImmediate as nextTurnOfLoop } from 'node:timers/promises';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { GatewayError } from '../core/errors.ts';
import {
  ATTR,
  GEN_AI,
  SPAN,
  contentAttributes,
  extractParentFromHeaders,
  inChildSpan,
  startChildSpan,
  startLlmSpan,
  tracer,
} from './tracing.ts';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

function finished(name: string) {
  const span = exporter.getFinishedSpans().find((s) => s.name === name);
  assert.ok(span, `span ${name} finished`);
  return span;
}

function parentOf(name: string): string | undefined {
  return finished(name).parentSpanContext?.spanId;
}

test('a W3C traceparent on the upgrade request becomes the parent of the session span', () => {
  exporter.reset();
  const parent = extractParentFromHeaders({
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    tracestate: 'vendor=opaque',
  });
  startChildSpan(parent, SPAN.session).span.end();
  const session = finished(SPAN.session);
  assert.equal(session.spanContext().traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.equal(session.parentSpanContext?.spanId, 'b7ad6b7169203331');
  assert.equal(session.parentSpanContext?.isRemote, true);
  assert.equal(session.spanContext().traceState?.get('vendor'), 'opaque');
});

test('without a usable traceparent the session starts a new trace, even inside another active span', () => {
  exporter.reset();
  const upgradeRequest = tracer.startSpan('upgrade request');
  context.with(trace.setSpan(ROOT_CONTEXT, upgradeRequest), () => {
    startChildSpan(extractParentFromHeaders({}), SPAN.session).span.end();
    startChildSpan(extractParentFromHeaders({ traceparent: '00-zz-b7ad6b7169203331-01' }), SPAN.turn).span.end();
  });
  upgradeRequest.end();
  assert.equal(finished(SPAN.session).parentSpanContext, undefined);
  assert.equal(finished(SPAN.turn).parentSpanContext, undefined);
});

test('stage spans stay children of their turn across native-like callbacks and promises from other contexts', async () => {
  exporter.reset();
  const session = startChildSpan(ROOT_CONTEXT, SPAN.session);
  const turn = startChildSpan(session.context, SPAN.turn);
  const unrelated = tracer.startSpan('unrelated');
  const unrelatedContext = trace.setSpan(ROOT_CONTEXT, unrelated);

  // A native add-on calls back in the async context of whoever created its resource, here an unrelated one.
  const nativeEngine = new EventEmitter();
  const transcribed = new Promise<void>((resolve) => {
    nativeEngine.once('result', () => {
      assert.equal(trace.getActiveSpan(), unrelated, 'the callback does not run in the turn context');
      startChildSpan(turn.context, SPAN.asrTranscribe).span.end();
      resolve();
    });
  });
  context.with(unrelatedContext, () => setImmediate(() => nativeEngine.emit('result')));
  await transcribed;

  // A stream consumer awaiting a promise made in another context, then a turn of the event loop.
  const phrase = context.with(unrelatedContext, () => nextTurnOfLoop('hello'));
  await context.with(unrelatedContext, async () => {
    await phrase;
    await nextTurnOfLoop();
    const tts = startChildSpan(turn.context, SPAN.ttsSynthesize, { [ATTR.textChars]: 5 });
    await nextTurnOfLoop();
    tts.span.end();
  });
  unrelated.end();
  turn.span.end();
  session.span.end();

  const turnId = finished(SPAN.turn).spanContext().spanId;
  assert.equal(parentOf(SPAN.asrTranscribe), turnId);
  assert.equal(parentOf(SPAN.ttsSynthesize), turnId);
  assert.equal(parentOf(SPAN.turn), finished(SPAN.session).spanContext().spanId);
});

test('transcript and answer go on spans only when traceContent is enabled', () => {
  const content = { transcript: 'my card number is', answer: 'I cannot help with that' };
  assert.deepEqual(contentAttributes(false, content), {});
  assert.deepEqual(contentAttributes(true, content), {
    [ATTR.transcript]: 'my card number is',
    [ATTR.answer]: 'I cannot help with that',
  });
  assert.deepEqual(contentAttributes(true, { answer: 'ok' }), { [ATTR.answer]: 'ok' });

  exporter.reset();
  const turn = startChildSpan(ROOT_CONTEXT, SPAN.turn, { [ATTR.turnId]: 't1', ...contentAttributes(false, content) });
  turn.span.end();
  const keys = Object.keys(finished(SPAN.turn).attributes);
  assert.deepEqual(keys, [ATTR.turnId]);
});

test('the LLM call is a GenAI client span named after the operation and model', () => {
  exporter.reset();
  const agent = startChildSpan(ROOT_CONTEXT, SPAN.agent);
  const llm = startLlmSpan(agent.context, { model: 'qwen3-8b', providerName: 'openai' });
  llm.span.setAttributes({ [GEN_AI.usageInputTokens]: 12, [GEN_AI.usageOutputTokens]: 34 });
  llm.span.end();
  agent.span.end();
  const span = finished('chat qwen3-8b');
  assert.equal(span.kind, SpanKind.CLIENT);
  assert.equal(span.parentSpanContext?.spanId, finished(SPAN.agent).spanContext().spanId);
  assert.deepEqual(span.attributes, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'qwen3-8b',
    'gen_ai.usage.input_tokens': 12,
    'gen_ai.usage.output_tokens': 34,
  });
});

test('inChildSpan makes its span active, marks an abort as interrupted and a failure as an error', async () => {
  exporter.reset();
  const turn = startChildSpan(ROOT_CONTEXT, SPAN.turn);

  const seen = await inChildSpan(turn.context, SPAN.agent, {}, async (span) => {
    await nextTurnOfLoop();
    return trace.getActiveSpan() === span;
  });
  assert.equal(seen, true);

  const aborted = new AbortController();
  aborted.abort();
  await assert.rejects(
    inChildSpan(turn.context, SPAN.ttsSynthesize, {}, async () => aborted.signal.throwIfAborted()),
    { name: 'AbortError' },
  );
  await assert.rejects(
    inChildSpan(turn.context, SPAN.asrTranscribe, {}, async () => {
      throw new GatewayError('asr_failed', 'the speech recogniser failed');
    }),
    GatewayError,
  );
  turn.span.end();

  const tts = finished(SPAN.ttsSynthesize);
  assert.equal(tts.attributes[ATTR.interrupted], true);
  assert.equal(tts.status.code, SpanStatusCode.UNSET);
  const asr = finished(SPAN.asrTranscribe);
  assert.equal(asr.status.code, SpanStatusCode.ERROR);
  assert.equal(asr.status.message, 'asr_failed');
  assert.equal(asr.attributes['error.type'], 'asr_failed');
  const turnId = finished(SPAN.turn).spanContext().spanId;
  for (const name of [SPAN.agent, SPAN.ttsSynthesize, SPAN.asrTranscribe]) assert.equal(parentOf(name), turnId);
});

test('a stage measured before its span could start is backdated to when it began', () => {
  exporter.reset();
  const turn = startChildSpan(ROOT_CONTEXT, SPAN.turn);
  const startedAtMs = Date.now() - 1_500;
  const vad = startChildSpan(turn.context, SPAN.vadEndpoint, {}, undefined, startedAtMs);
  vad.span.end(startedAtMs + 500);
  turn.span.end();
  const [seconds, nanos] = finished(SPAN.vadEndpoint).startTime;
  assert.equal(Math.round(seconds * 1000 + nanos / 1e6), startedAtMs);
  const [durationS, durationNs] = finished(SPAN.vadEndpoint).duration;
  assert.equal(Math.round(durationS * 1000 + durationNs / 1e6), 500);
});
