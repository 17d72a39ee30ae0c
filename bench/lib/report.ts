/** The human-readable side of a run: targets checked against the figures, and the tables printed on stdout. */
import { SILERO_FRAME_MS } from '../../src/engines/silero/silero-vad.ts';
import { STRICT_DRAFT_FORMULA, STRICT_NOTE, TEXT_FORMULA, VOICE_FORMULA } from './overhead.ts';
import type { PhaseResult } from './phase.ts';
import type { Summary } from './stats.ts';
import { cell, renderTable } from './table.ts';

/** Issue 6's targets for a 2-core build machine. */
export const TARGETS = {
  overheadP95OneSessionMs: 10,
  overheadP95FiftyVoiceSessionsMs: 25,
  interruptToLastAudioP95Ms: 20,
  speechEndDelayP95Ms: SILERO_FRAME_MS,
  voiceSessionsPerCore: 50,
} as const;

export interface TargetCheck {
  target: string;
  /** A latency is a ceiling; a capacity is a floor. */
  bound: 'at most' | 'at least';
  limit: number;
  measured: number;
  met: boolean;
}

export function check(target: string, measured: number, limit: number, bound: TargetCheck['bound'] = 'at most'): TargetCheck {
  return { target, bound, limit, measured, met: bound === 'at most' ? measured <= limit : measured >= limit };
}

export function checkPhaseTargets(phase: PhaseResult): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const where = `${phase.scenario}, ${phase.sessions} session${phase.sessions === 1 ? '' : 's'}`;
  if (phase.scenario !== 'interrupt' && phase.sessions === 1) {
    checks.push(check(`overhead p95 (${where})`, phase.overheadMs.p95, TARGETS.overheadP95OneSessionMs));
  }
  if (phase.scenario === 'voice' && phase.sessions >= 50) {
    checks.push(check(`overhead p95 (${where})`, phase.overheadMs.p95, TARGETS.overheadP95FiftyVoiceSessionsMs));
  }
  if (phase.interruptToLastAudioMs) {
    checks.push(check(`interrupt to last audio frame p95 (${where})`, phase.interruptToLastAudioMs.p95, TARGETS.interruptToLastAudioP95Ms));
  }
  if (phase.speechEndDelayMs) {
    checks.push(check(`speech_end after end of speech + minSilenceMs, p95 (${where})`, phase.speechEndDelayMs.p95, TARGETS.speechEndDelayP95Ms));
  }
  return checks;
}

const LATENCY_LABEL = {
  voice: 'voice-to-voice (client)',
  text: 'time to first audio (client)',
  interrupt: 'time to first audio (client)',
  realtime: 'Realtime voice-to-voice (client)',
};

export function renderPhase(phase: PhaseResult): string {
  const row = (label: string, s: Summary | undefined, scale = 1) => [label, ...[s?.p50, s?.p95, s?.p99, s?.max].map((v) => cell(v === undefined ? v : v * scale)), String(s?.count ?? 0)];
  const rows = [
    row(`${LATENCY_LABEL[phase.scenario]} ms`, phase.latencyMs),
    row('overhead ms', phase.overheadMs),
    row('overhead / latency %', phase.overheadRatio, 100),
    row('strict overhead ms', phase.strictOverheadMs),
    row('strict overhead / latency %', phase.strictOverheadRatio, 100),
  ];
  if (phase.speechEndDelayMs) rows.push(row('speech_end - (speech end + silence) ms', phase.speechEndDelayMs));
  if (phase.interruptToLastAudioMs) rows.push(row('interrupt -> last audio frame ms', phase.interruptToLastAudioMs));
  if (phase.interruptToEndMs) rows.push(row('interrupt -> response_end ms', phase.interruptToEndMs));
  for (const [key, s] of Object.entries(phase.stagesMs)) rows.push(row(`  server ${key}`, s));
  const failed = Object.values(phase.failures).reduce((a, b) => a + b, 0);
  const { server } = phase;
  return [
    `${phase.scenario}: ${phase.sessions} concurrent session(s) x ${phase.turnsPerSession} turns: ${phase.completedTurns} measured, ${failed} failed`,
    renderTable(['', 'p50', 'p95', 'p99', 'max', 'n'], rows),
    `gateway process: ${cell(server.cpuCores, 2)} cores busy (${cell(server.cpuCoresPerSession * 100, 1)} % of a core per session), ` +
      `RSS ${cell(server.rssStartMiB, 0)} -> peak ${cell(server.rssPeakMiB, 0)} MiB (${cell(server.rssPerSessionMiB, 2)} MiB per session), ` +
      `event-loop lag p50 ${cell(server.loopLagMs.p50)} / p99 ${cell(server.loopLagMs.p99)} / max ${cell(server.loopLagMs.max)} ms`,
    `speculative drafts: ${server.drafts.committed} committed, ${server.drafts.dropped} dropped`,
    `bench process (clients, LLM stand-in): event-loop lag p50 ${cell(phase.clientLoopLagMs.p50)} / p99 ${cell(phase.clientLoopLagMs.p99)} / max ${cell(phase.clientLoopLagMs.max)} ms`,
    ...Object.entries(phase.failures).map(([message, count]) => `  failed x${count}: ${message}`),
  ].join('\n');
}

export function renderTargets(checks: readonly TargetCheck[]): string {
  return renderTable(
    ['target', 'limit', 'measured', ''],
    checks.map((c) => [c.target, `${c.bound} ${cell(c.limit)}`, cell(c.measured), c.met ? 'met' : `MISSED by ${cell(Math.abs(c.measured - c.limit))}`]),
  );
}

export function renderFormulas(): string {
  return [`overhead, text turn:  ${TEXT_FORMULA}`, `overhead, voice turn: ${VOICE_FORMULA}`, STRICT_NOTE, STRICT_DRAFT_FORMULA].join('\n');
}
