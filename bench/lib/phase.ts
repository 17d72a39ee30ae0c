/**
 * One phase of a run: N concurrent sessions of one scenario, started evenly over `staggerMs` so that their
 * turns do not all end at the same instant, with the gateway's resource use measured over the same window.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GatewayHandle } from './gateway-handle.ts';
import type { ServerSample } from './gateway-protocol.ts';
import { strictTextOverhead, strictVoiceOverhead, textOverhead, voiceOverhead, type Overhead } from './overhead.ts';
import { runRealtimeVoiceSession } from './realtime-session.ts';
import { runInterruptSession, runTextSession, runVoiceSession, type TurnSample, type Utterance } from './sessions.ts';
import { summarize, type Summary } from './stats.ts';

/** `realtime`: voice turns over the Realtime transport, measured as `voice` is over protocol v1. */
export type Scenario = 'voice' | 'text' | 'interrupt' | 'realtime';

export interface Workload {
  gateway: GatewayHandle;
  utterance: Utterance;
  /** The same utterance at 24 kHz, for Realtime sessions. */
  realtimeUtterance: Utterance;
  text: string;
  /** The LLM stage of the strict overhead: a raw client's time to the first phrase (see llm-baseline.ts). */
  rawLlmFirstPhraseMs: number;
}

export interface PhaseResult {
  scenario: Scenario;
  sessions: number;
  turnsPerSession: number;
  completedTurns: number;
  /** Failure message -> how many turns failed with it. */
  failures: Record<string, number>;
  /** voice: voice-to-voice; text and interrupt: time to first audio. Client clock. */
  latencyMs: Summary;
  overheadMs: Summary;
  overheadRatio: Summary;
  strictOverheadMs: Summary;
  strictOverheadRatio: Summary;
  speechEndDelayMs?: Summary;
  interruptToLastAudioMs?: Summary;
  interruptToEndMs?: Summary;
  /** response_end.timings, per key. */
  stagesMs: Record<string, Summary>;
  server: {
    elapsedMs: number;
    /** Cores the gateway process kept busy on average. */
    cpuCores: number;
    cpuCoresPerSession: number;
    rssStartMiB: number;
    rssPeakMiB: number;
    rssPerSessionMiB: number;
    loopLagMs: { p50: number; p99: number; max: number };
    drafts: { committed: number; dropped: number };
  };
  /** Event-loop lag of the bench process (clients and LLM stand-in), which the client-side figures carry. */
  clientLoopLagMs: { p50: number; p99: number; max: number };
}

// Same as the gateway process measures with (see gateway-process.ts): the resolution is subtracted.
const LOOP_RESOLUTION_MS = 10;

export async function runPhase(scenario: Scenario, sessions: number, turns: number, work: Workload, signal: AbortSignal): Promise<PhaseResult> {
  const { gateway, utterance, text } = work;
  const cycleMs = (utterance.wav.samples.length / utterance.wav.sampleRateHz) * 1000 + utterance.trailingSilenceMs;
  const voiceLike = scenario === 'voice' || scenario === 'realtime';
  const staggerMs = voiceLike ? cycleMs : 1_000;
  const base = { url: gateway.wsUrl, turns, signal };
  const start = (): Promise<TurnSample[]> => {
    if (scenario === 'voice') return runVoiceSession({ ...base, utterance, minSilenceMs: gateway.minSilenceMs });
    if (scenario === 'realtime') return runRealtimeVoiceSession({ ...base, utterance: work.realtimeUtterance, minSilenceMs: gateway.minSilenceMs });
    if (scenario === 'text') return runTextSession({ ...base, text });
    return runInterruptSession({ ...base, text });
  };
  // The clients share this process with the LLM stand-in: when its loop runs late, arrival times do too.
  const benchLoop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  benchLoop.enable();
  await gateway.mark();
  const runs = Array.from({ length: sessions }, async (_, i) => {
    // Out of time: sessions not started yet do not start; the others finish the turn they are in.
    await sleep((i * staggerMs) / sessions, undefined, { signal }).catch(() => undefined);
    return signal.aborted ? [] : start();
  });
  const samples = (await Promise.all(runs)).flat();
  const server = await gateway.measure();
  benchLoop.disable();
  const lagMs = (ns: number) => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
  const clientLoopLagMs = { p50: lagMs(benchLoop.percentile(50)), p99: lagMs(benchLoop.percentile(99)), max: lagMs(benchLoop.max) };
  return { ...summarizePhase(scenario, sessions, turns, samples, work, server), clientLoopLagMs };
}

function summarizePhase(scenario: Scenario, sessions: number, turns: number, samples: TurnSample[], work: Workload, server: ServerSample): Omit<PhaseResult, 'clientLoopLagMs'> {
  const failures: Record<string, number> = {};
  const ok: TurnSample[] = [];
  for (const sample of samples) {
    if (sample.failure !== undefined) failures[sample.failure] = (failures[sample.failure] ?? 0) + 1;
    else ok.push(sample);
  }
  const voiceLike = scenario === 'voice' || scenario === 'realtime';
  // The gateway counts committed drafts, not which turns they answered. Every turn of the bench's utterance ends in
  // the same long pause, so a phase drafts all its turns or none; were it some, taking them all as drafts would only
  // overstate the strict overhead of the others (a max in place of a sum), never make it negative.
  const voiceWindow = { minSilenceMs: work.gateway.minSilenceMs, ...(server.drafts.committed > 0 && { draftAfterMs: work.gateway.speculativeAfterMs }) };
  const overheads: Overhead[] = [];
  const stricts: Overhead[] = [];
  for (const { latencyMs, timings } of ok) {
    if (latencyMs === undefined || timings === undefined) continue;
    const measured = voiceLike ? voiceOverhead(latencyMs, timings, voiceWindow.minSilenceMs) : textOverhead(latencyMs, timings);
    const strict = voiceLike ? strictVoiceOverhead(latencyMs, timings, work.rawLlmFirstPhraseMs, voiceWindow) : strictTextOverhead(latencyMs, timings, work.rawLlmFirstPhraseMs);
    if (measured) overheads.push(measured);
    if (strict) stricts.push(strict);
  }
  const pick = (key: keyof TurnSample) => ok.flatMap((s) => (typeof s[key] === 'number' ? [s[key]] : []));
  const cpuCores = server.cpuMs / server.elapsedMs;
  return {
    scenario,
    sessions,
    turnsPerSession: turns,
    completedTurns: ok.length,
    failures,
    latencyMs: summarize(pick('latencyMs')),
    overheadMs: summarize(overheads.map((o) => o.overheadMs)),
    overheadRatio: summarize(overheads.map((o) => o.ratio)),
    strictOverheadMs: summarize(stricts.map((o) => o.overheadMs)),
    strictOverheadRatio: summarize(stricts.map((o) => o.ratio)),
    ...(voiceLike && { speechEndDelayMs: summarize(pick('speechEndDelayMs')) }),
    ...(scenario === 'interrupt' && {
      interruptToLastAudioMs: summarize(pick('interruptToLastAudioMs')),
      interruptToEndMs: summarize(pick('interruptToEndMs')),
    }),
    stagesMs: summarizeTimings(ok),
    server: {
      elapsedMs: server.elapsedMs,
      cpuCores,
      cpuCoresPerSession: cpuCores / sessions,
      rssStartMiB: server.rssStartMiB,
      rssPeakMiB: server.rssPeakMiB,
      rssPerSessionMiB: (server.rssPeakMiB - server.rssStartMiB) / sessions,
      loopLagMs: server.loopLagMs,
      drafts: server.drafts,
    },
  };
}

function summarizeTimings(samples: TurnSample[]): Record<string, Summary> {
  const byKey = new Map<string, number[]>();
  for (const { timings } of samples) {
    for (const [key, value] of Object.entries(timings ?? {})) {
      if (value === undefined) continue;
      const values = byKey.get(key);
      if (values) values.push(value);
      else byKey.set(key, [value]);
    }
  }
  return Object.fromEntries([...byKey].sort(([a], [b]) => a.localeCompare(b)).map(([key, values]) => [key, summarize(values)]));
}
