/**
 * `npm run bench -- --overload`: ramps concurrent text sessions past what the gateway admits and reports, per
 * step, sessions refused, turns refused before the LLM, turns failed after the LLM was called (the target is 0)
 * and the latency of the turns it admitted. The gateway is `src/server.ts` in its own process with its default
 * admission limits (or the `S2S_ADMISSION_*` variables of this shell), on the small test models.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { spawnGateway } from '../test/support/gateway-process.ts';
import { startLlmServer } from '../test/support/llm-server.ts';
import { describeMachine } from './lib/machine.ts';
import { runOverloadSession, type SessionFate, type TurnFate } from './lib/overload-session.ts';
import { summarize, type Summary } from './lib/stats.ts';
import { cell, renderTable } from './lib/table.ts';

export interface OverloadOptions {
  ttftMs: number;
  tokensPerS: number;
  /** Concurrent sessions of the last step; steps double up to it. */
  maxSessions: number;
  turns: number;
  json?: string | undefined;
}

interface Step {
  sessions: number;
  admitted: number;
  refusedByCloseCode: Record<string, number>;
  turns: number;
  answered: number;
  refusedBeforeLlm: Record<string, number>;
  failedAfterLlm: Record<string, number>;
  firstAudioMs: Summary;
  turnMs: Summary;
}

const FIRST_STEP = 16;
/** Sessions of a step arrive spread over this long, as a crowd does, not in one instant. */
const ARRIVAL_MS = 1_000;
const ANSWER = 'Your order shipped this morning and should reach you on Thursday. I can text you the tracking number if you like.';

export async function runOverload(options: OverloadOptions, print: (line: string) => void): Promise<number> {
  const startedAt = new Date();
  const machine = describeMachine();
  const llm = await startLlmServer({ script: { text: ANSWER, firstTokenMs: options.ttftMs, tokensPerSecond: options.tokensPerS } });
  const inherited = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('S2S_ADMISSION_') && entry[1] !== undefined));
  // The session cap well above the ramp: admission, not the cap, decides who gets in.
  const gateway = await spawnGateway({
    S2S_LLM_BASE_URL: llm.url,
    S2S_LIMITS_MAX_SESSIONS: String(options.maxSessions * 4),
    // The bench's own lag limit: spawnGateway turns it off for tests on a shared machine.
    S2S_ADMISSION_MAX_EVENT_LOOP_LAG_MS: '250',
    ...inherited,
  });
  const steps: Step[] = [];
  try {
    for (let sessions = FIRST_STEP; sessions <= options.maxSessions; sessions *= 2) {
      const fates = await Promise.all(
        Array.from({ length: sessions }, async (_, i) => {
          await new Promise((resolve) => setTimeout(resolve, (i / sessions) * ARRIVAL_MS));
          return runOverloadSession(gateway.wsUrl, 'Where is my order?', options.turns);
        }),
      );
      const step = summarizeStep(sessions, fates);
      steps.push(step);
      print(renderStep(step));
    }
  } finally {
    gateway.child.kill('SIGTERM');
    await gateway.exited;
    await llm.close();
  }
  const failedAfterLlm = steps.reduce((n, step) => n + total(step.failedAfterLlm), 0);
  // What the gateway logged for each failed turn (the client sees only the code).
  const causes = [...new Set(gateway.logs.filter((line) => line.msg === 'turn failed').map((line) => `${String(line.code)}: ${String(line.cause)}`))];
  const result = {
    benchmark: 's2s-gateway overload (npm run bench -- --overload)',
    startedAt: startedAt.toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine,
    workload: { turnsPerSession: options.turns, arrivalMs: ARRIVAL_MS, llm: { firstTokenMs: options.ttftMs, tokensPerSecond: options.tokensPerS, answer: ANSWER } },
    admission: Object.keys(inherited).length > 0 ? inherited : 'gateway defaults',
    steps,
    failedAfterLlm,
    failureCauses: causes,
  };
  const jsonPath = options.json ?? new URL(`./results/${startedAt.toISOString().replace(/[:.]/g, '-')}-overload.json`, import.meta.url).pathname;
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  print(`\n${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, load average at start ${machine.loadAverageAtStart.join(' ')}`);
  print(`turns failed after the LLM was called: ${failedAfterLlm} (target 0)${causes.length > 0 ? `; causes: ${causes.join('; ')}` : ''}`);
  print(`result: ${jsonPath}`);
  return failedAfterLlm === 0 ? 0 : 1;
}

function summarizeStep(sessions: number, fates: SessionFate[]): Step {
  const refusedByCloseCode: Record<string, number> = {};
  const turns: TurnFate[] = [];
  for (const fate of fates) {
    if (fate.admitted) turns.push(...fate.turns);
    else {
      // The close reason names the admission limit passed: "the gateway is overloaded (tts_queue: ...)".
      const limit = /\((\w+):/.exec(fate.reason)?.[1];
      const key = limit ? `${fate.closeCode} ${limit}` : String(fate.closeCode);
      refusedByCloseCode[key] = (refusedByCloseCode[key] ?? 0) + 1;
    }
  }
  const count = (kind: 'refused' | 'failed_after_llm') => {
    const byCode: Record<string, number> = {};
    for (const turn of turns) if (turn.kind === kind) byCode[turn.code] = (byCode[turn.code] ?? 0) + 1;
    return byCode;
  };
  const answered = turns.filter((turn) => turn.kind === 'answered');
  return {
    sessions,
    admitted: fates.filter((fate) => fate.admitted).length,
    refusedByCloseCode,
    turns: turns.length,
    answered: answered.length,
    refusedBeforeLlm: count('refused'),
    failedAfterLlm: count('failed_after_llm'),
    firstAudioMs: summarize(answered.flatMap((turn) => (turn.firstAudioMs === undefined ? [] : [turn.firstAudioMs]))),
    turnMs: summarize(answered.map((turn) => turn.totalMs)),
  };
}

const total = (byCode: Record<string, number>) => Object.values(byCode).reduce((a, b) => a + b, 0);
const codes = (byCode: Record<string, number>) => Object.entries(byCode).map(([code, n]) => `${n} ${code}`).join(', ') || '0';

function renderStep(step: Step): string {
  return renderTable(
    ['sessions', 'admitted', 'refused (close code, limit)', 'turns', 'answered', 'refused before LLM', 'failed after LLM', 'first audio p95 ms', 'turn p95 ms'],
    [[
      String(step.sessions),
      String(step.admitted),
      codes(step.refusedByCloseCode),
      String(step.turns),
      String(step.answered),
      codes(step.refusedBeforeLlm),
      codes(step.failedAfterLlm),
      cell(step.firstAudioMs.p95),
      cell(step.turnMs.p95),
    ]],
  );
}
