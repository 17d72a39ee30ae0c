import type { Logger } from 'pino';
import type { Agent } from '../contracts/agent.ts';
import { createCheckpointer, type Checkpointer } from '../agent/checkpointer.ts';
import { LangGraphAgent } from '../agent/langgraph-agent.ts';
import type { StoreStatus } from '../contracts/store.ts';
import { LlmProbe, type LlmStatus } from '../agent/llm-probe.ts';
import type { Config } from '../config/schema.ts';
import type { ModelFiles } from '../contracts/engine.ts';
import { configuredEngine, configuredVoices, type Loaded } from '../engines/registry.ts';
import { Slot, type SlotStatus } from './slot.ts';
import { EventLoopLag } from './event-loop-lag.ts';
import { VoiceRegistry } from './voices.ts';
import { EventLoopStallWatch } from '../observability/event-loop-stalls.ts';
import { getMetrics, type GatewayMetrics } from '../observability/metrics.ts';
import type { Context } from '@opentelemetry/api';
import type { SessionSink } from '../session/events.ts';
import { Admission } from '../session/admission.ts';
import { Session } from '../session/session.ts';
import { Sessions } from '../session/sessions.ts';
import { SessionTelemetry } from '../session/telemetry.ts';
import { MemoryLeases, RedisLeases, type SessionLeases } from '../session/leases.ts';
import { MemorySessionStore, RedisSessionStore, type SessionStore } from '../session/store.ts';
import { createVoicePipeline } from '../session/voice-pipeline.ts';

export interface Readiness {
  ready: boolean;
  checks: Record<string, SlotStatus | LlmStatus | StoreStatus>;
}

/**
 * Everything the gateway holds while it runs: engines loading in the background, conversation memory, session
 * store and metrics. Built once at start-up; sessions borrow from it.
 */
export class Runtime {
  readonly config: Config;
  readonly log: Logger;
  readonly metrics: GatewayMetrics;
  readonly agent = new Slot<Agent>('agent');
  readonly asr = new Slot<Loaded<'asr'>>('speech recognition');
  readonly vad = new Slot<Loaded<'vad'>>('voice activity detection');
  readonly turnDetector = new Slot<Loaded<'turnDetector'>>('turn detection');
  readonly voices: VoiceRegistry;
  readonly llm: LlmProbe;
  readonly store: SessionStore;
  readonly leases: SessionLeases;
  /** Conversation memory (Postgres or in process), shared by every agent this runtime builds. */
  readonly memory: Checkpointer;
  readonly sessions: Sessions;
  /** Load shedding and the drain: whether new sessions and spoken turns are taken. */
  readonly admission: Admission;
  readonly #eventLoopLag = new EventLoopLag();
  readonly #files: ModelFiles;
  readonly #loading = new AbortController();
  readonly #stalls: EventLoopStallWatch;
  readonly #stopHealthReport: () => void;

  /** `files`: every model the configured engines need, on disk (resolved, and fetched if need be, before start). */
  constructor(config: Config, log: Logger, files: ModelFiles) {
    this.config = config;
    this.log = log;
    this.#files = files;
    this.metrics = getMetrics();
    this.#stalls = new EventLoopStallWatch(config.limits.eventLoopStallMs, this.metrics, log);
    this.voices = new VoiceRegistry(configuredVoices(config, files));
    this.llm = new LlmProbe(config.llm);
    this.store = config.redisUrl ? new RedisSessionStore(config.redisUrl, { minMs: config.stores.retryMinMs, maxMs: config.stores.retryMaxMs }, log) : new MemorySessionStore();
    this.memory = createCheckpointer(config, log);
    this.leases = config.redisUrl ? new RedisLeases(config.redisUrl, config.access.sessionLeaseMs, log) : new MemoryLeases();
    this.admission = new Admission(config.admission, {
      eventLoopLagMs: () => this.#eventLoopLag.ms,
      asrQueued: () => this.asr.value?.queued?.() ?? 0,
      rssBytes: () => process.memoryUsage.rss(),
    });
    this.sessions = new Sessions(
      { maxSessions: config.limits.maxSessions, maxSessionsPerKey: config.access.maxSessionsPerKey },
      this.admission,
      (sink, trace, owner) => this.#openSession(sink, trace, owner),
    );
    this.#stopHealthReport = this.metrics.reportHealth(() => ({
      ready: this.readiness().ready,
      llmReachable: this.llm.status.reachable,
      asrQueued: this.asr.value?.queued?.() ?? 0,
    }));
  }

  /** Starts every load in the background; the returned promise settles when all have finished either way. */
  start(): Promise<void> {
    const { config } = this;
    const signal = this.#loading.signal;
    this.llm.start();
    const context = { signal, log: this.log };
    const vad = configuredEngine('vad', config, this.#files);
    const asr = configuredEngine('asr', config, this.#files);
    const turnDetector = configuredEngine('turnDetector', config, this.#files);
    const loads = [
      this.agent.load(config.agent.module ?? `built-in, ${config.llm.model}`, async () => {
        const agent = await LangGraphAgent.create(config, this.memory);
        // Best effort and in the background: an LLM server that is down now must not hold up readiness.
        if (config.agent.warmUp) agent.warmUp(signal).catch((err: unknown) => this.log.info({ err: (err as Error).message }, 'agent warm-up skipped'));
        return agent;
      }, this.log),
      this.vad.load(vad.detail, () => vad.load(context), this.log),
      this.asr.load(asr.detail, () => asr.load(context), this.log),
      this.turnDetector.load(turnDetector.detail, () => turnDetector.load(context), this.log),
      ...this.voices.all.map((voice) => voice.load(context)),
    ];
    return Promise.all(loads).then(() => {
      const failed = this.#slots().filter((slot) => slot.status.state === 'failed');
      // Each failed one logged why, and keeps retrying in the background.
      this.log.info({ failed: failed.length }, 'dependencies loaded');
    });
  }

  readiness(): Readiness {
    const checks: Readiness['checks'] = {};
    for (const slot of this.#slots()) checks[slot.name] = slot.status;
    checks.llm = this.llm.status;
    const stores = { postgres: this.memory.status(), redis: this.store.status() };
    for (const [name, status] of Object.entries(stores)) if (status) checks[name] = status;
    const storesUp = Object.values(stores).every((status) => status?.reachable !== false);
    const ready = this.#slots().every((slot) => slot.ready) && this.llm.status.reachable && storesUp;
    return { ready, checks };
  }

  #openSession(sink: SessionSink, trace: Context, owner: string | undefined): Session {
    const { config } = this;
    const telemetry = new SessionTelemetry(this.metrics, { traceContent: config.traceContent, parent: trace });
    const voiceSettings = {
      endpointer: { ...config.vad, maxUtteranceMs: config.asr.maxUtteranceMs },
      bargeInMinSpeechMs: config.vad.bargeInMinSpeechMs,
      partialIntervalMs: config.asr.partialIntervalMs,
      maxBufferedAudioMs: config.limits.maxBufferedAudioMs,
      speculativeAfterMs: config.turns.speculativeAfterMs,
      adaptiveSilence: config.turns.adaptiveEndpointing ? config.turns : undefined,
      completeSilenceMs: config.turns.completeSilenceMs,
      bargeInConfirm: config.turns.bargeIn,
    };
    return new Session(sink, {
      limits: config.limits,
      chunker: { firstMinUnits: config.turns.firstPhraseMinWords },
      agent: () => this.agent.get(),
      voices: this.voices,
      store: this.store,
      leases: this.leases,
      owner,
      log: this.log,
      telemetry,
      reserveSpeech: () => this.admission.reserveSpeech(),
      createVoiceInput: (format, session, handlers) =>
        createVoicePipeline(format, session, handlers, {
          settings: voiceSettings,
          vad: () => this.vad.get(),
          transcriber: () => this.asr.get(),
          turnDetector: () => this.turnDetector.get(),
          telemetry,
        }),
    });
  }

  async close(): Promise<void> {
    this.#stopHealthReport();
    this.#loading.abort();
    this.llm.stop();
    this.#eventLoopLag.stop();
    this.#stalls.stop();
    await Promise.all([
      this.agent.close((agent) => agent.close()),
      this.asr.close((asr) => asr.close()),
      this.vad.close((vad) => vad.close()),
      this.turnDetector.close((detector) => detector.close()),
      ...this.voices.all.map((voice) => voice.close()),
      this.store.close(),
      this.leases.close(),
    ]);
    await this.memory.close();
  }

  #slots(): Slot<unknown>[] {
    return [this.agent, this.vad, this.asr, this.turnDetector, ...this.voices.all.map((voice) => voice.slot)] as Slot<unknown>[];
  }
}
