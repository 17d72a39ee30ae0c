import type { Logger } from 'pino';
import type { Agent } from '../contracts/agent.ts';
import { LangGraphAgent } from '../agent/langgraph-agent.ts';
import { LlmProbe, type LlmStatus } from '../agent/llm-probe.ts';
import type { Config } from '../config/schema.ts';
import { PiperVoice } from '../engines/piper/piper-voice.ts';
import { SileroVad } from '../engines/silero/silero-vad.ts';
import { Slot, type SlotStatus } from './slot.ts';
import { VoiceRegistry } from './voices.ts';
import { setNativeLogSink } from '../engines/whisper/whisper-binding.ts';
import { WhisperPool } from '../engines/whisper/whisper-pool.ts';
import { XttsSynthesizer } from '../engines/xtts/xtts-synthesizer.ts';
import { XTTS_SAMPLE_RATE_HZ } from '../engines/xtts/xtts-wire.ts';
import { getMetrics, type GatewayMetrics } from '../observability/metrics.ts';
import type { Context } from '@opentelemetry/api';
import type { SessionSink } from '../session/events.ts';
import { Session } from '../session/session.ts';
import { Sessions } from '../session/sessions.ts';
import { SessionTelemetry } from '../session/telemetry.ts';
import { MemorySessionStore, RedisSessionStore, type SessionStore } from '../session/store.ts';
import { createVoicePipeline } from '../session/voice-pipeline.ts';
import type { Transcriber } from '../contracts/asr.ts';
import type { Synthesizer } from '../contracts/tts.ts';

/** Where the models this configuration needs are on disk (resolved, and fetched if need be, before start). */
export interface ModelPaths {
  asr: string;
  /** Voice name -> path of its `.onnx`. */
  voices: Record<string, string>;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, SlotStatus | LlmStatus>;
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
  readonly asr = new Slot<Transcriber>('speech recognition');
  readonly vad = new Slot<SileroVad>('voice activity detection');
  readonly voices: VoiceRegistry;
  readonly llm: LlmProbe;
  readonly store: SessionStore;
  readonly sessions: Sessions;
  readonly #paths: ModelPaths;
  readonly #loading = new AbortController();

  constructor(config: Config, log: Logger, paths: ModelPaths) {
    this.config = config;
    this.log = log;
    this.#paths = paths;
    this.metrics = getMetrics();
    const { tts } = config;
    this.voices =
      tts.engine === 'xtts'
        ? VoiceRegistry.single(`xtts:${tts.xttsSpeaker}`, tts.xttsUrl as string, XTTS_SAMPLE_RATE_HZ)
        : VoiceRegistry.piper(tts.voice, tts.voicesByLang, paths.voices);
    this.llm = new LlmProbe(config.llm);
    this.store = config.redisUrl ? new RedisSessionStore(config.redisUrl, log) : new MemorySessionStore();
    this.sessions = new Sessions(config.limits.maxSessions, (sink, trace) => this.#openSession(sink, trace));
  }

  /** Starts every load in the background; the returned promise settles when all have finished either way. */
  start(): Promise<void> {
    const { config } = this;
    const signal = this.#loading.signal;
    this.llm.start();
    setNativeLogSink((level, text) => this.log.debug({ nativeLevel: level, text: text.trimEnd() }, 'whisper.cpp'));
    const loads = [
      this.agent.load(config.agent.module ?? `built-in, ${config.llm.model}`, async () => {
        const agent = await LangGraphAgent.create(config, signal);
        // Best effort and in the background: an LLM server that is down now must not hold up readiness.
        if (config.agent.warmUp) agent.warmUp(signal).catch((err: unknown) => this.log.info({ err: (err as Error).message }, 'agent warm-up skipped'));
        return agent;
      }),
      this.vad.load('silero v5', () => SileroVad.load({ signal })),
      this.asr.load(this.#paths.asr, () =>
        WhisperPool.load({ modelPath: this.#paths.asr, ...config.asr, signal }),
      ),
      ...this.voices.all.map((voice) => voice.slot.load(voice.source, () => this.#loadVoice(voice.source, signal))),
    ];
    return Promise.all(loads).then(() => {
      const failed = this.#slots().filter((slot) => slot.status.state === 'failed');
      for (const slot of failed) this.log.error({ dependency: slot.name, error: slot.status.error }, 'dependency failed to load');
      this.log.info({ failed: failed.length }, 'dependencies loaded');
    });
  }

  #loadVoice(source: string, signal: AbortSignal): Promise<Synthesizer> {
    const { tts } = this.config;
    if (tts.engine === 'xtts') {
      return XttsSynthesizer.load({ url: source, speaker: tts.xttsSpeaker, language: tts.xttsLanguage, timeoutMs: tts.xttsTimeoutMs, signal });
    }
    const { threads, phonemizerWorkers, inferenceWorkers } = tts;
    return PiperVoice.load(source, { threads, phonemizerWorkers, inferenceWorkers, signal });
  }

  readiness(): Readiness {
    const checks: Readiness['checks'] = {};
    for (const slot of this.#slots()) checks[slot.name] = slot.status;
    checks.llm = this.llm.status;
    const ready = this.#slots().every((slot) => slot.ready) && this.llm.status.reachable;
    return { ready, checks };
  }

  #openSession(sink: SessionSink, trace: Context): Session {
    const { config } = this;
    const telemetry = new SessionTelemetry(this.metrics, { traceContent: config.traceContent, parent: trace });
    const voiceSettings = {
      endpointer: { ...config.vad, maxUtteranceMs: config.asr.maxUtteranceMs },
      bargeInMinSpeechMs: config.vad.bargeInMinSpeechMs,
      partialIntervalMs: config.asr.partialIntervalMs,
      maxBufferedAudioMs: config.limits.maxBufferedAudioMs,
    };
    return new Session(sink, {
      limits: config.limits,
      agent: () => this.agent.get(),
      voices: this.voices,
      store: this.store,
      log: this.log,
      telemetry,
      createVoiceInput: (format, session, handlers) =>
        createVoicePipeline(format, session, handlers, {
          settings: voiceSettings,
          vad: () => this.vad.get(),
          transcriber: () => this.asr.get(),
          telemetry,
        }),
    });
  }

  async close(): Promise<void> {
    this.#loading.abort();
    this.llm.stop();
    await Promise.all([
      this.agent.close((agent) => agent.close()),
      this.asr.close((asr) => asr.close()),
      this.vad.close((vad) => vad.close()),
      ...this.voices.all.map((voice) => voice.slot.close((synthesizer) => synthesizer.close())),
      this.store.close(),
    ]);
  }

  #slots(): Slot<unknown>[] {
    return [this.agent, this.vad, this.asr, ...this.voices.all.map((voice) => voice.slot)] as Slot<unknown>[];
  }
}
