import { GatewayError } from '../core/errors.ts';

/** The limits past which the gateway sheds load; 0 turns one off (except `maxSpeakingTurns`). */
export interface AdmissionLimits {
  maxEventLoopLagMs: number;
  maxAsrQueued: number;
  maxSpeakingTurns: number;
  maxRssMb: number;
}

/** How loaded the process is right now, read when a session asks to start and when `/ready` is asked. */
export interface LoadProbes {
  eventLoopLagMs(): number;
  asrQueued(): number;
  rssBytes(): number;
}

/** Why new sessions are refused: the drain, or the first limit passed. */
export type ShedReason = 'draining' | 'event_loop_lag' | 'asr_queue' | 'tts_queue' | 'memory';

export interface AdmissionStatus {
  admitting: boolean;
  reason?: ShedReason;
  eventLoopLagMs: number;
  asrQueued: number;
  speakingTurns: number;
  rssMiB: number;
}

/** Gives a reserved synthesis slot back; safe to call more than once. */
export type Release = () => void;

const MIB = 2 ** 20;

/**
 * Whether the gateway takes more work. New sessions are refused while it drains or while any load signal is past
 * its limit; a spoken turn reserves synthesis capacity before its LLM call, so a turn is refused up front instead
 * of failing after the LLM has answered.
 */
export class Admission {
  readonly #limits: AdmissionLimits;
  readonly #probes: LoadProbes;
  #speaking = 0;
  #draining = false;

  constructor(limits: AdmissionLimits, probes: LoadProbes) {
    this.#limits = limits;
    this.#probes = probes;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** From now on every new session is refused with `shutting_down`; running ones go on. */
  drain(): void {
    this.#draining = true;
  }

  status(): AdmissionStatus {
    const { maxEventLoopLagMs, maxAsrQueued, maxSpeakingTurns, maxRssMb } = this.#limits;
    const eventLoopLagMs = Math.round(this.#probes.eventLoopLagMs());
    const asrQueued = this.#probes.asrQueued();
    const rssMiB = Math.round(this.#probes.rssBytes() / MIB);
    const reason: ShedReason | undefined = this.#draining
      ? 'draining'
      : maxEventLoopLagMs > 0 && eventLoopLagMs > maxEventLoopLagMs
        ? 'event_loop_lag'
        : maxAsrQueued > 0 && asrQueued >= maxAsrQueued
          ? 'asr_queue'
          : this.#speaking >= maxSpeakingTurns
            ? 'tts_queue'
            : maxRssMb > 0 && rssMiB > maxRssMb
              ? 'memory'
              : undefined;
    return { admitting: reason === undefined, ...(reason && { reason }), eventLoopLagMs, asrQueued, speakingTurns: this.#speaking, rssMiB };
  }

  /** Throws GatewayError('shutting_down') while draining, GatewayError('overloaded') past a limit. */
  admitSession(): void {
    const status = this.status();
    if (status.admitting) return;
    if (status.reason === 'draining') throw new GatewayError('shutting_down', 'the gateway is shutting down; connect again');
    throw new GatewayError('overloaded', `the gateway is overloaded (${status.reason}: ${describe(status, this.#limits)}); connect again later`);
  }

  /** A synthesis slot for one spoken turn, or GatewayError('tts_busy') when all `maxSpeakingTurns` are taken. */
  reserveSpeech(): Release {
    const { maxSpeakingTurns } = this.#limits;
    if (this.#speaking >= maxSpeakingTurns) {
      throw new GatewayError('tts_busy', `all ${maxSpeakingTurns} synthesis slots are taken; the turn was not started`);
    }
    this.#speaking++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#speaking--;
    };
  }
}

function describe(status: AdmissionStatus, limits: AdmissionLimits): string {
  switch (status.reason) {
    case 'event_loop_lag':
      return `event-loop lag ${status.eventLoopLagMs} ms over ${limits.maxEventLoopLagMs} ms`;
    case 'asr_queue':
      return `${status.asrQueued} utterances waiting for speech recognition, limit ${limits.maxAsrQueued}`;
    case 'tts_queue':
      return `all ${limits.maxSpeakingTurns} synthesis slots taken`;
    case 'memory':
      return `resident memory ${status.rssMiB} MiB over ${limits.maxRssMb} MiB`;
    default:
      return String(status.reason);
  }
}
