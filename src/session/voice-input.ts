import type { AudioFormat } from '../audio/audio-format.ts';
import type { GatewayError } from '../core/errors.ts';
import type { ContextMessage } from '../contracts/turns.ts';
import type { SessionEvent, TurnSource, TurnTaking, TurnTimings } from './events.ts';
import type { TurnTelemetry } from './telemetry.ts';

/** A turn about to start: typed text, or a final transcript from the voice input. */
export interface NextTurn {
  id: string;
  /** Absent: the turn answers the conversation as it stands. */
  text?: string | undefined;
  /** performance.now() when the turn's clock starts: end of user speech, or the text's arrival. */
  startedAt: number;
  /** Stage times measured before the turn (VAD, ASR). */
  timings?: TurnTimings;
  source: TurnSource;
  /** The language ASR detected, for a session started with lang 'auto'. */
  lang?: string;
  telemetry: TurnTelemetry;
}

export interface VoiceInputHandlers {
  emit(event: SessionEvent): void;
  /** Whether the assistant is speaking now (a turn is running), for barge-in. */
  speaking(): boolean;
  bargeIn(): void;
  /**
   * A transcript taken during a pause, before the endpoint: the session may start it as a draft turn that is
   * committed (`commit`, with the stage times measured since) or dropped. Undefined: the session will not speculate
   * now (the assistant is speaking, or the session does not answer on its own); the final then goes to `utterance`.
   */
  speculate?(next: NextTurn): Speculation | undefined;
  /** A final, non-empty transcript: starts a turn, or joins the conversation (resolving once it has). */
  utterance(next: NextTurn): void | Promise<void>;
  error(error: GatewayError): void;
}

/** A draft turn in flight: it becomes the answer, or it is forgotten. */
export interface Speculation {
  /** False when the draft is gone (new input replaced it): the utterance then starts a turn as usual. */
  commit(timings: TurnTimings): boolean;
  drop(): void;
}

/** Microphone audio of one session on its way to transcripts. */
export interface VoiceInput {
  push(pcm: Uint8Array): void;
  /** Push-to-talk: finalise the utterance now. */
  end(): void;
  /** Drops the audio not yet part of a finished utterance, and the utterance in progress. */
  clear(): void;
  /** Resolves once every utterance that has ended so far has been handed on (or found empty). */
  settled(): Promise<void>;
  close(): void;
}

export interface VoiceSession {
  id: string;
  lang: string;
  /** Endpointing and VAD settings of this session; the gateway's own when absent. */
  turnTaking?: TurnTaking | undefined;
  /** The last turns of the conversation, oldest first, for the turn detector. */
  recentTurns?: (() => readonly ContextMessage[]) | undefined;
}

/** Throws GatewayError('bad_audio_format') for a format it cannot take. */
export type VoiceInputFactory = (format: AudioFormat, session: VoiceSession, handlers: VoiceInputHandlers) => Promise<VoiceInput>;
