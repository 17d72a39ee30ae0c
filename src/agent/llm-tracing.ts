import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { BaseMessage } from '@langchain/core/messages';
import type { LLMResult } from '@langchain/core/outputs';
import type { Context } from '@opentelemetry/api';
import { getMetrics } from '../observability/metrics.ts';
import { GEN_AI, recordFailure, startLlmSpan, type ChildSpan } from '../observability/tracing.ts';

interface Call {
  child: ChildSpan;
  startedAt: number;
  firstChunkSeen: boolean;
  /** The call's signal: its abort reason tells an interruption from a timeout, which the client's error hides. */
  signal: AbortSignal | undefined;
}

/**
 * One GenAI client span per chat-model call inside the agent (OpenTelemetry GenAI conventions), parented on the
 * agent span, with time to first chunk (also the s2s_llm_time_to_first_token_seconds metric) and token usage.
 */
export class LlmTracingHandler extends BaseCallbackHandler {
  name = 's2s-llm-tracing';
  readonly #parent: Context;
  readonly #fallbackModel: string;
  readonly #calls = new Map<string, Call>();

  constructor(parent: Context, model: string) {
    super();
    this.#parent = parent;
    this.#fallbackModel = model;
  }

  override handleChatModelStart(
    _llm: Serialized,
    _messages: BaseMessage[][],
    runId: string,
    _parentRunId?: string,
    extraParams?: Record<string, unknown>,
  ): void {
    const params = extraParams?.invocation_params as { model?: string } | undefined;
    const options = extraParams?.options as { signal?: AbortSignal } | undefined;
    const child = startLlmSpan(this.#parent, { model: params?.model ?? this.#fallbackModel, providerName: 'openai' });
    this.#calls.set(runId, { child, startedAt: performance.now(), firstChunkSeen: false, signal: options?.signal });
  }

  override handleLLMNewToken(_token: string, _idx: unknown, runId: string): void {
    const call = this.#calls.get(runId);
    if (!call || call.firstChunkSeen) return;
    call.firstChunkSeen = true;
    const seconds = (performance.now() - call.startedAt) / 1000;
    call.child.span.setAttribute(GEN_AI.responseTimeToFirstChunk, seconds);
    getMetrics().llmTimeToFirstToken(seconds, call.child.context);
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    const call = this.#take(runId);
    if (!call) return;
    const message = (output.generations[0]?.[0] as { message?: { usage_metadata?: { input_tokens?: number; output_tokens?: number } } } | undefined)?.message;
    const usage = message?.usage_metadata;
    if (usage?.input_tokens !== undefined) call.child.span.setAttribute(GEN_AI.usageInputTokens, usage.input_tokens);
    if (usage?.output_tokens !== undefined) call.child.span.setAttribute(GEN_AI.usageOutputTokens, usage.output_tokens);
    call.child.span.end();
  }

  override handleLLMError(err: unknown, runId: string): void {
    const call = this.#take(runId);
    if (!call) return;
    // An aborted call fails with a generic error; the signal's reason says why: the turn was interrupted (an
    // AbortError, not a failure of the LLM) or the watchdog gave up (a GatewayError such as llm_timeout).
    const cause: unknown = call.signal?.aborted ? call.signal.reason : err;
    recordFailure(call.child.span, cause);
    call.child.span.end();
  }

  #take(runId: string): Call | undefined {
    const call = this.#calls.get(runId);
    this.#calls.delete(runId);
    return call;
  }
}
