import { type Attributes, type Context, type Span } from '@opentelemetry/api';
import type { ErrorCode } from '../core/errors.ts';
import type { Completeness } from '../contracts/turns.ts';
import type { GatewayMetrics, InterruptionKind, TurnJudge, TurnOutcome } from '../observability/metrics.ts';
import { ATTR, SPAN, contentAttributes, inChildSpan, startChildSpan, type ChildSpan } from '../observability/tracing.ts';
import type { TurnTimings } from './events.ts';

/**
 * A session's traces and metrics in one place, so the session and turn code says what happened and this decides
 * how it is recorded. Spans are parented explicitly (s2s.session > s2s.turn > stage) because turns run across
 * WebSocket callbacks, native-thread callbacks and stream boundaries.
 */
export class SessionTelemetry {
  readonly #metrics: GatewayMetrics;
  readonly #traceContent: boolean;
  readonly #parent: Context;
  #session: ChildSpan | undefined;

  /** `parent`: the trace context the client sent (a `traceparent` header), or the root context. */
  constructor(metrics: GatewayMetrics, options: { traceContent: boolean; parent: Context }) {
    this.#metrics = metrics;
    this.#traceContent = options.traceContent;
    this.#parent = options.parent;
    metrics.sessionOpened();
  }

  started(attributes: { sessionId: string; lang: string; voice: string; resumed: boolean }): void {
    this.#session = startChildSpan(this.#parent, SPAN.session, {
      [ATTR.sessionId]: attributes.sessionId,
      [ATTR.lang]: attributes.lang,
      [ATTR.ttsVoice]: attributes.voice,
      [ATTR.sessionResumed]: attributes.resumed,
    });
  }

  /** Adaptive endpointing judged a transcript `verdict`: by the turn detector, or by the text rules in its place. */
  turnJudged(verdict: Completeness, judgedBy: TurnJudge): void {
    this.#metrics.turnJudged(verdict, judgedBy);
  }

  /** A turn's span starts at `startTime` (performance.now() clock): end of user speech, or the text's arrival. */
  turn(turnId: string, startTime: number): TurnTelemetry {
    const parent = this.#session?.context ?? this.#parent;
    const span = startChildSpan(parent, SPAN.turn, { [ATTR.turnId]: turnId }, undefined, toEpochMs(startTime));
    return new TurnTelemetry(span, this.#metrics, this.#traceContent);
  }

  /** An utterance whose transcript was empty: no turn, but it counts. */
  emptyUtterance(): void {
    this.#metrics.turnEnded('empty');
  }

  interrupted(kind: InterruptionKind): void {
    this.#metrics.interrupted(kind);
  }

  error(code: ErrorCode): void {
    this.#metrics.error(code);
  }

  closed(): void {
    this.#session?.span.end();
    this.#session = undefined;
    this.#metrics.sessionClosed();
  }
}

export class TurnTelemetry {
  readonly #turn: ChildSpan;
  readonly #metrics: GatewayMetrics;
  readonly traceContent: boolean;

  constructor(turn: ChildSpan, metrics: GatewayMetrics, traceContent: boolean) {
    this.#turn = turn;
    this.#metrics = metrics;
    this.traceContent = traceContent;
  }

  /** The turn span's context: the parent of its stages. */
  get context(): Context {
    return this.#turn.context;
  }

  /** A draft turn was committed: it counts, and its span says it began as a draft. */
  speculationCommitted(): void {
    this.#metrics.speculation('committed');
    this.#turn.span.setAttribute(ATTR.turnSpeculation, 'committed');
  }

  /** A draft turn was dropped: nobody saw it, so it is no turn of the turn counts; its span ends saying so. */
  speculationDropped(): void {
    this.#metrics.speculation('dropped');
    this.#turn.span.setAttributes({ [ATTR.turnSpeculation]: 'dropped' });
    this.#turn.span.end();
  }

  /** Runs one stage in a child span of the turn. */
  stage<T>(name: string, attributes: Attributes, work: (span: Span, spanContext: Context) => Promise<T>): Promise<T> {
    return inChildSpan(this.#turn.context, name, attributes, work);
  }

  /** A stage span with explicit times (performance.now() clock), for stages measured before the turn existed. */
  recordStage(name: string, startTime: number, endTime: number, attributes: Attributes = {}): void {
    const { span } = startChildSpan(this.#turn.context, name, attributes, undefined, toEpochMs(startTime));
    span.end(toEpochMs(endTime));
  }

  /** Starts a stage span the caller ends (one that spans several callbacks, like playback). */
  startStage(name: string, attributes: Attributes = {}): ChildSpan {
    return startChildSpan(this.#turn.context, name, attributes);
  }

  content(content: { transcript?: string; answer?: string }): Attributes {
    return contentAttributes(this.traceContent, content);
  }

  /**
   * `timings` are the response_end timings, in ms from the turn's start (the end of the user's speech on a voice
   * turn); `responseStartMs` is when the response (the agent) started on that clock. The agent stage and the time to
   * first audio count from the response's start, so they do not include the VAD and ASR time before it.
   */
  ended(outcome: TurnOutcome, timings: TurnTimings, attributes: Attributes, responseStartMs = 0): void {
    const m = this.#metrics;
    const ctx = this.#turn.context;
    const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
    const sinceResponse = (ms: number | undefined) => (ms === undefined ? undefined : (ms - responseStartMs) / 1000);
    const observe = (value: number | undefined, record: (s: number) => void) => value !== undefined && record(value);
    observe(seconds(timings.vadEndpointMs), (s) => m.observeStage('vad_endpoint', s, ctx));
    observe(seconds(timings.asrMs), (s) => m.observeStage('asr', s, ctx));
    observe(sinceResponse(timings.llmTotalMs), (s) => m.observeStage('agent', s, ctx));
    observe(seconds(timings.ttsTotalMs), (s) => m.observeStage('tts', s, ctx));
    observe(seconds(timings.playbackMs), (s) => m.observeStage('playback', s, ctx));
    observe(sinceResponse(timings.firstAudioMs), (s) => m.timeToFirstAudio(s, ctx));
    observe(seconds(timings.voiceToVoiceMs), (s) => m.voiceToVoice(s, ctx));
    m.turnEnded(outcome);
    const { span } = this.#turn;
    span.setAttributes({ ...attributes, [ATTR.interrupted]: outcome === 'interrupted', [ATTR.turnOutcome]: outcome });
    span.end();
  }
}

// OpenTelemetry takes epoch milliseconds; the pipeline measures with the monotonic performance.now().
const toEpochMs = (performanceNow: number) => performance.timeOrigin + performanceNow;

