/**
 * Capacity mode: more and more concurrent voice sessions until the gateway's own cost crosses a limit. A step
 * that fails more than a few of its turns is over capacity as well: no latency figure describes it honestly.
 */
import { runPhase, type PhaseResult, type Workload } from './phase.ts';

const CAPACITY_STEPS = [1, 2, 4, 8, 16, 32, 50, 64, 80, 96, 128] as const;
const CAPACITY_LIMITS = { overheadP95Ms: 50, loopLagP99Ms: 20, failedTurnsShare: 0.05 } as const;

export interface CapacityResult {
  limits: typeof CAPACITY_LIMITS;
  steps: PhaseResult[];
  /** The most concurrent voice sessions of a step within every limit (0 if even one session is not). */
  maxSessions: number;
  sessionsPerCore: number;
  stoppedBecause: string;
}

/** Why a step is over capacity, or undefined when it is within every limit. */
function overCapacity(step: PhaseResult): string | undefined {
  const failed = Object.values(step.failures).reduce((a, b) => a + b, 0);
  const total = failed + step.completedTurns;
  if (total === 0 || failed / total > CAPACITY_LIMITS.failedTurnsShare) return `${failed} of ${total} turns failed`;
  if (!(step.overheadMs.p95 <= CAPACITY_LIMITS.overheadP95Ms)) return `overhead p95 ${step.overheadMs.p95.toFixed(1)} ms > ${CAPACITY_LIMITS.overheadP95Ms} ms`;
  if (step.server.loopLagMs.p99 > CAPACITY_LIMITS.loopLagP99Ms) return `event-loop lag p99 ${step.server.loopLagMs.p99.toFixed(1)} ms > ${CAPACITY_LIMITS.loopLagP99Ms} ms`;
  return undefined;
}

export async function rampCapacity(work: Workload, turns: number, cores: number, signal: AbortSignal, onStep: (step: PhaseResult) => void): Promise<CapacityResult> {
  const steps: PhaseResult[] = [];
  let maxSessions = 0;
  let stoppedBecause = `reached the last step (${CAPACITY_STEPS.at(-1)} sessions) within every limit`;
  for (const sessions of CAPACITY_STEPS) {
    if (signal.aborted) {
      stoppedBecause = 'ran out of time';
      break;
    }
    const step = await runPhase('voice', sessions, turns, work, signal);
    steps.push(step);
    onStep(step);
    const breached = overCapacity(step);
    if (breached) {
      stoppedBecause = `${sessions} sessions: ${breached}`;
      break;
    }
    maxSessions = sessions;
  }
  return { limits: CAPACITY_LIMITS, steps, maxSessions, sessionsPerCore: maxSessions / cores, stoppedBecause };
}
