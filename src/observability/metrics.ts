import { context, trace, type Context } from '@opentelemetry/api';
import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  openMetricsContentType,
  type OpenMetricsContentType,
  type PrometheusContentType,
} from 'prom-client';
import { ERROR_CODES, STAGES, type ErrorCode, type Stage } from '../core/errors.ts';

const TURN_OUTCOMES = ['completed', 'interrupted', 'failed', 'empty'] as const;
export type TurnOutcome = (typeof TURN_OUTCOMES)[number];

const INTERRUPTION_KINDS = ['barge_in', 'client', 'new_input'] as const;
export type InterruptionKind = (typeof INTERRUPTION_KINDS)[number];
const SPECULATION_OUTCOMES = ['committed', 'dropped'] as const;
const TURN_VERDICTS = ['complete', 'hesitant', 'open'] as const;
const JUDGES = ['detector', 'fallback'] as const;
/** Who judged a transcript for adaptive endpointing: the configured detector, or the text rules in its place. */
export type TurnJudge = (typeof JUDGES)[number];
/** What became of a speculative (draft) turn: committed when the endpoint was confirmed, dropped when the user spoke on. */
export type SpeculationOutcome = (typeof SPECULATION_OUTCOMES)[number];

/**
 * Histogram upper bounds in seconds for every latency: from 10 ms (a VAD endpoint, a cached phrase) to 10 s (a cold
 * LLM), densest between 0.2 s and 2 s where voice-to-voice budgets sit; 1.5 s is the alerting budget.
 */
export const LATENCY_BUCKETS_S = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.25, 1.5, 2, 3, 5, 7.5, 10,
];

/** The gateway's state at scrape time, for the gauges alerts watch. */
export interface HealthSnapshot {
  /** What /ready answers: every dependency loaded and the LLM reachable. */
  ready: boolean;
  llmReachable: boolean;
  /** Utterances waiting for a speech-recognition context. */
  asrQueued: number;
}

export type HealthSource = () => HealthSnapshot;

export interface Exposition {
  contentType: string;
  body: string;
}

/**
 * One full set of the gateway's metrics bound to one registry. Histograms are typed `<string>` because prom-client's
 * typings restrict exemplar label names to the metric's own label names.
 */
interface Instruments {
  /** prom-client allows exemplars on OpenMetrics registries only. */
  exemplars: boolean;
  registry: Registry<PrometheusContentType> | Registry<OpenMetricsContentType>;
  stageDuration: Histogram<string>;
  voiceToVoice: Histogram<string>;
  timeToFirstAudio: Histogram<string>;
  llmTimeToFirstToken: Histogram<string>;
  activeSessions: Gauge;
  turns: Counter<'outcome'>;
  interruptions: Counter<'kind'>;
  speculativeTurns: Counter<'outcome'>;
  turnJudgements: Counter<'verdict' | 'judged_by'>;
  errors: Counter<'stage' | 'code'>;
  eventLoopStalls: Counter;
  apiRequestDuration: Histogram<string>;
  apiRequests: Counter<'route' | 'status'>;
}

/** Gauges read at scrape time from whatever reports health (the runtime); 0 before anything does. */
function healthGauges(registers: Registry[], health: () => HealthSnapshot | undefined): void {
  const gauge = (name: string, help: string, read: (h: HealthSnapshot) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const snapshot = health();
        this.set(snapshot === undefined ? 0 : read(snapshot));
      },
    });
  gauge('s2s_ready', '1 while /ready answers 200 (models loaded, LLM reachable), else 0.', (h) => Number(h.ready));
  gauge('s2s_llm_up', '1 while the LLM server answers the reachability probe, else 0.', (h) => Number(h.llmReachable));
  gauge('s2s_asr_queue_depth', 'Utterances waiting for a speech-recognition context.', (h) => h.asrQueued);
}

function createInstruments(
  registry: Registry<PrometheusContentType> | Registry<OpenMetricsContentType>,
  exemplars: boolean,
  health: () => HealthSnapshot | undefined,
): Instruments {
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  healthGauges(registers as Registry[], health);
  const latency = (name: string, help: string, labelNames: string[] = []) =>
    new Histogram<string>({ name, help, labelNames, buckets: LATENCY_BUCKETS_S, enableExemplars: exemplars, registers });
  const instruments: Instruments = {
    exemplars,
    registry,
    stageDuration: latency('s2s_stage_duration_seconds', 'Duration of one pipeline stage of a turn.', ['stage']),
    voiceToVoice: latency(
      's2s_voice_to_voice_seconds',
      'Voice turns: from the end of the user speaking to the first assistant audio sent.',
    ),
    timeToFirstAudio: latency(
      's2s_time_to_first_audio_seconds',
      'From the start of a response (agent start) to its first audio chunk sent.',
    ),
    llmTimeToFirstToken: latency(
      's2s_llm_time_to_first_token_seconds',
      'From the LLM request to its first streamed token.',
    ),
    activeSessions: new Gauge({ name: 's2s_active_sessions', help: 'Open sessions.', registers }),
    turns: new Counter({ name: 's2s_turns_total', help: 'Turns ended, by outcome.', labelNames: ['outcome'], registers }),
    interruptions: new Counter({
      name: 's2s_interruptions_total',
      help: 'Responses interrupted, by what interrupted them.',
      labelNames: ['kind'],
      registers,
    }),
    speculativeTurns: new Counter({
      name: 's2s_speculative_turns_total',
      help: 'Draft turns started during a pause, by outcome: committed at the endpoint or dropped when speech resumed.',
      labelNames: ['outcome'],
      registers,
    }),
    turnJudgements: new Counter({
      name: 's2s_turn_judgements_total',
      help: 'Transcripts judged for adaptive endpointing, by verdict and by whom: the turn detector, or the text rules when it failed or was loading.',
      labelNames: ['verdict', 'judged_by'],
      registers,
    }),
    apiRequestDuration: latency(
      's2s_api_request_duration_seconds',
      'Speech API requests (transcription, synthesis): from the request to the end of the response, by route.',
      ['route'],
    ),
    apiRequests: new Counter({
      name: 's2s_api_requests_total',
      help: 'Speech API requests answered, by route and HTTP status.',
      labelNames: ['route', 'status'],
      registers,
    }),
    errors: new Counter({
      name: 's2s_errors_total',
      help: 'Errors reported to clients, by stage and error code.',
      labelNames: ['stage', 'code'],
      registers,
    }),
    eventLoopStalls: new Counter({
      name: 's2s_event_loop_stalls_total',
      help: 'Times the main thread was blocked longer than limits.eventLoopStallMs: every session waited meanwhile.',
      registers,
    }),
  };
  // Series that exist from the start keep rate() and the dashboards defined before the first event.
  for (const stage of STAGES) instruments.stageDuration.zero({ stage });
  for (const outcome of TURN_OUTCOMES) instruments.turns.inc({ outcome }, 0);
  for (const kind of INTERRUPTION_KINDS) instruments.interruptions.inc({ kind }, 0);
  for (const outcome of SPECULATION_OUTCOMES) instruments.speculativeTurns.inc({ outcome }, 0);
  for (const verdict of TURN_VERDICTS) for (const judged_by of JUDGES) instruments.turnJudgements.inc({ verdict, judged_by }, 0);
  // A counter that first appears at 1 reads as no increase to rate(): every error must start from 0.
  // Each code happens at one stage, so only those pairs exist.
  for (const [code, { stage }] of Object.entries(ERROR_CODES)) instruments.errors.inc({ stage, code }, 0);
  return instruments;
}

type Latency = 'stageDuration' | 'voiceToVoice' | 'timeToFirstAudio' | 'llmTimeToFirstToken' | 'apiRequestDuration';

const NO_EXEMPLAR: Readonly<Record<string, string>> = Object.freeze({});

/** Exemplar labels named as the OpenTelemetry Prometheus compatibility spec names them. */
function exemplarLabels(ctx: Context): Readonly<Record<string, string>> {
  const span = trace.getSpan(ctx);
  if (span === undefined || !span.isRecording()) return NO_EXEMPLAR;
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/**
 * True when the Accept header ranks OpenMetrics at least as high as the plain text format. Prometheus asks for
 * `application/openmetrics-text;version=1.0.0,...,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`; curl sends `*\/*`.
 */
export function acceptsOpenMetrics(accept: string | undefined): boolean {
  let openMetricsQ = 0;
  let plainQ = 0;
  for (const range of (accept ?? '').split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2)) || 0;
    if (type === 'application/openmetrics-text') openMetricsQ = Math.max(openMetricsQ, q);
    else if (type === 'text/plain' || type === 'text/*' || type === '*/*') plainQ = Math.max(plainQ, q);
  }
  return openMetricsQ > 0 && openMetricsQ >= plainQ;
}

/**
 * The gateway's Prometheus metrics; dashboards and alerts rely on their names and labels (docs/observability.md).
 *
 * A prom-client registry has one content type, and rendering OpenMetrics renames registered counters in place
 * (drops `_total`), so a counter cannot be shared by an OpenMetrics and a plain registry. Each format therefore keeps
 * its own full set of instruments and every update goes to both: a few map lookups per event, and two event-loop
 * delay monitors. Exemplars live in the OpenMetrics set only (prom-client refuses them elsewhere).
 */
export class GatewayMetrics {
  readonly #openMetrics: Instruments;
  readonly #plain: Instruments;
  readonly #both: readonly Instruments[];
  #health: HealthSource | undefined;

  private constructor() {
    const openMetricsRegistry = new Registry<OpenMetricsContentType>();
    openMetricsRegistry.setContentType(openMetricsContentType);
    const health = () => this.#health?.();
    this.#openMetrics = createInstruments(openMetricsRegistry, true, health);
    this.#plain = createInstruments(new Registry(), false, health);
    this.#both = [this.#openMetrics, this.#plain];
  }

  /**
   * Where s2s_ready, s2s_llm_up and s2s_asr_queue_depth come from; one source per process (the latest). Returns
   * the undo, which leaves a newer source in place.
   */
  reportHealth(source: HealthSource): () => void {
    this.#health = source;
    return () => {
      if (this.#health === source) this.#health = undefined;
    };
  }

  /** Builds the registries and starts the default process collectors (event-loop delay monitor, GC observer). */
  static create(): GatewayMetrics {
    return new GatewayMetrics();
  }

  /** Draft turns so far, by outcome (the bench reports them). */
  async speculations(): Promise<Record<SpeculationOutcome, number>> {
    const counts: Record<SpeculationOutcome, number> = { committed: 0, dropped: 0 };
    for (const { labels, value } of (await this.#plain.speculativeTurns.get()).values) counts[labels.outcome as SpeculationOutcome] += value;
    return counts;
  }

  /** Latencies take the trace of the span active in `ctx` (default: the active context) as their exemplar. */
  observeStage(stage: Stage, seconds: number, ctx: Context = context.active()): void {
    this.#observe('stageDuration', seconds, { stage }, ctx);
  }

  voiceToVoice(seconds: number, ctx: Context = context.active()): void {
    this.#observe('voiceToVoice', seconds, {}, ctx);
  }

  timeToFirstAudio(seconds: number, ctx: Context = context.active()): void {
    this.#observe('timeToFirstAudio', seconds, {}, ctx);
  }

  llmTimeToFirstToken(seconds: number, ctx: Context = context.active()): void {
    this.#observe('llmTimeToFirstToken', seconds, {}, ctx);
  }

  #observe(latency: Latency, seconds: number, labels: Record<string, string>, ctx: Context): void {
    const exemplar = exemplarLabels(ctx);
    for (const set of this.#both) {
      if (set.exemplars) set[latency].observe({ value: seconds, labels, exemplarLabels: exemplar });
      else set[latency].observe(labels, seconds);
    }
  }

  /** One speech API request answered: its route (the path pattern), HTTP status and duration. */
  apiRequest(route: string, status: number, seconds: number, ctx: Context = context.active()): void {
    this.#observe('apiRequestDuration', seconds, { route }, ctx);
    for (const set of this.#both) set.apiRequests.inc({ route, status: String(status) });
  }

  sessionOpened(): void {
    for (const set of this.#both) set.activeSessions.inc();
  }

  sessionClosed(): void {
    for (const set of this.#both) set.activeSessions.dec();
  }

  turnEnded(outcome: TurnOutcome): void {
    for (const set of this.#both) set.turns.inc({ outcome });
  }

  interrupted(kind: InterruptionKind): void {
    for (const set of this.#both) set.interruptions.inc({ kind });
  }

  eventLoopStalled(): void {
    for (const set of this.#both) set.eventLoopStalls.inc();
  }

  speculation(outcome: SpeculationOutcome): void {
    for (const set of this.#both) set.speculativeTurns.inc({ outcome });
  }

  turnJudged(verdict: (typeof TURN_VERDICTS)[number], judgedBy: TurnJudge): void {
    for (const set of this.#both) set.turnJudgements.inc({ verdict, judged_by: judgedBy });
  }

  error(code: ErrorCode): void {
    const { stage } = ERROR_CODES[code];
    for (const set of this.#both) set.errors.inc({ stage, code });
  }

  /** The exposition for a scrape: OpenMetrics (with exemplars) when the Accept header asks for it, else plain text. */
  async render(accept: string | undefined): Promise<Exposition> {
    const { registry } = acceptsOpenMetrics(accept) ? this.#openMetrics : this.#plain;
    return { contentType: registry.contentType, body: await registry.metrics() };
  }
}

let processMetrics: GatewayMetrics | undefined;

/** The process's metrics, created on first use. */
export function getMetrics(): GatewayMetrics {
  processMetrics ??= GatewayMetrics.create();
  return processMetrics;
}
