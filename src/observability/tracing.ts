import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  defaultTextMapGetter,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TimeInput,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError, isAbortError } from '../core/errors.ts';

/** A no-op tracer until a tracer provider is registered (see otel.ts), then that provider's. */
export const tracer = trace.getTracer('s2s-gateway');

/** Span names: an interface of dashboards and trace queries (docs/observability.md). */
export const SPAN = {
  session: 's2s.session',
  turn: 's2s.turn',
  vadEndpoint: 's2s.vad.endpoint',
  asrTranscribe: 's2s.asr.transcribe',
  agent: 's2s.agent',
  /** One per phrase. */
  ttsSynthesize: 's2s.tts.synthesize',
  playback: 's2s.playback',
} as const;

/** Span attribute names. */
export const ATTR = {
  sessionId: 's2s.session.id',
  sessionResumed: 's2s.session.resumed',
  turnId: 's2s.turn.id',
  /** A TurnOutcome of metrics.ts. */
  turnOutcome: 's2s.turn.outcome',
  /** A SpeculationOutcome of metrics.ts, on a turn that began as a draft. */
  turnSpeculation: 's2s.turn.speculation',
  lang: 's2s.lang',
  ttsVoice: 's2s.tts.voice',
  audioSeconds: 's2s.audio.seconds',
  textChars: 's2s.text.chars',
  interrupted: 's2s.interrupted',
  /** Content: only through contentAttributes(). */
  transcript: 's2s.transcript',
  /** Content: only through contentAttributes(). */
  answer: 's2s.answer',
} as const;

/**
 * OpenTelemetry GenAI client inference conventions (status Development). String constants because the `ATTR_GEN_AI_*`
 * exports of @opentelemetry/semantic-conventions are deprecated.
 */
export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  /** Seconds from the request to the first streamed chunk. */
  responseTimeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  /** The `gen_ai.operation.name` value of a chat completion. */
  chatOperation: 'chat',
  toolName: 'gen_ai.tool.name',
  /** The `gen_ai.operation.name` value of running a tool. */
  executeToolOperation: 'execute_tool',
} as const;

/** Attributes of a knowledge search's tool span. */
export const KNOWLEDGE_ATTR = {
  /** "file > section" of each passage given to the model, best first. */
  sources: 's2s.knowledge.sources',
  /** Their cosine similarities to the query, in the same order. */
  scores: 's2s.knowledge.scores',
} as const;

/** `{gen_ai.operation.name} {gen_ai.request.model}`, e.g. `chat qwen3-8b`. */
function llmSpanName(model: string): string {
  return `${GEN_AI.chatOperation} ${model}`;
}

/** Transcript and answer text, only when `traceContent` (S2S_TRACE_CONTENT) allows personal content on spans. */
export function contentAttributes(
  traceContent: boolean,
  content: { transcript?: string; answer?: string },
): Attributes {
  if (!traceContent) return {};
  const attributes: Attributes = {};
  if (content.transcript !== undefined) attributes[ATTR.transcript] = content.transcript;
  if (content.answer !== undefined) attributes[ATTR.answer] = content.answer;
  return attributes;
}

/** The upgrade's `traceparent` is a W3C contract with clients, whatever OTEL_PROPAGATORS says for other traffic. */
const w3cPropagator = new W3CTraceContextPropagator();

/**
 * The context a client's W3C `traceparent` (and `tracestate`) on the WebSocket upgrade request names, to parent the
 * session span; ROOT_CONTEXT when absent or malformed. Starts from ROOT_CONTEXT, not the upgrade request's context.
 */
export function extractParentFromHeaders(headers: IncomingHttpHeaders): Context {
  return w3cPropagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

export interface ChildSpan {
  span: Span;
  /** `parent` with this span set: the parent to pass to this span's own children. */
  context: Context;
}

/**
 * Starts `name` as a child of the span in `parent`, whatever context is active where this runs: native add-on
 * callbacks and stream consumers run outside the turn's async context, so the turn passes its context explicitly.
 * `startTime` (epoch ms) backdates a span for work measured before it could start, e.g. the VAD endpoint of a turn.
 */
export function startChildSpan(
  parent: Context,
  name: string,
  attributes: Attributes = {},
  kind: SpanKind = SpanKind.INTERNAL,
  startTime?: TimeInput,
): ChildSpan {
  const span = tracer.startSpan(name, { kind, attributes, startTime }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** The GenAI client span of one chat completion, a child of `parent` (the agent span's context). */
export function startLlmSpan(parent: Context, request: { model: string; providerName: string }): ChildSpan {
  return startChildSpan(
    parent,
    llmSpanName(request.model),
    {
      [GEN_AI.operationName]: GEN_AI.chatOperation,
      [GEN_AI.providerName]: request.providerName,
      [GEN_AI.requestModel]: request.model,
    },
    SpanKind.CLIENT,
  );
}

/** The span of one run of an agent tool (`execute_tool {name}`), a child of `parent` (the agent span's context). */
export function startToolSpan(parent: Context, toolName: string): ChildSpan {
  return startChildSpan(parent, `${GEN_AI.executeToolOperation} ${toolName}`, {
    [GEN_AI.operationName]: GEN_AI.executeToolOperation,
    [GEN_AI.toolName]: toolName,
  });
}

/**
 * Runs `work` in a child span of `parent`, with the span's context active inside it (so metrics exemplars and nested
 * spans see it), and ends the span however `work` ends. An abort marks the span interrupted, not failed.
 */
export async function inChildSpan<T>(
  parent: Context,
  name: string,
  attributes: Attributes,
  work: (span: Span, spanContext: Context) => Promise<T>,
): Promise<T> {
  const { span, context: spanContext } = startChildSpan(parent, name, attributes);
  try {
    return await context.with(spanContext, () => work(span, spanContext));
  } catch (err) {
    recordFailure(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** Marks how a span's work ended badly: an abort is an interruption, anything else an error with its code. */
export function recordFailure(span: Span, err: unknown): void {
  if (isAbortError(err)) {
    span.setAttribute(ATTR.interrupted, true);
    return;
  }
  // The code, not the message: messages may quote user content.
  const type = err instanceof GatewayError ? err.code : err instanceof Error ? err.name : 'error';
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}
