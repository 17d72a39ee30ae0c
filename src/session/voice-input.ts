import type { AudioFormat } from '../audio/audio-format.ts';
import type { GatewayError } from '../core/errors.ts';
import type { SessionEvent, TurnTimings } from './events.ts';
import type { TurnTelemetry } from './telemetry.ts';

/** A turn about to start: typed text, or a final transcript from the voice input. */
export interface NextTurn {
  id: string;
  text: string;
  /** performance.now() when the turn's clock starts: end of user speech, or the text's arrival. */
  startedAt: number;
  /** Stage times measured before the turn (VAD, ASR). */
  timings?: TurnTimings;
  source: 'text' | 'voice';
  /** The language ASR detected, for a session started with lang 'auto'. */
  lang?: string;
  telemetry: TurnTelemetry;
}

export interface VoiceInputHandlers {
  emit(event: SessionEvent): void;
  /** Whether the assistant is speaking now (a turn is running), for barge-in. */
  speaking(): boolean;
  bargeIn(): void;
  /** A final, non-empty transcript: starts a turn. */
  utterance(next: NextTurn): void;
  error(error: GatewayError): void;
}

/** Microphone audio of one session on its way to transcripts. */
export interface VoiceInput {
  push(pcm: Uint8Array): void;
  /** Push-to-talk: finalise the utterance now. */
  end(): void;
  close(): void;
}

export interface VoiceSession {
  id: string;
  lang: string;
}

/** Throws GatewayError('bad_audio_format') for a format it cannot take. */
export type VoiceInputFactory = (format: AudioFormat, session: VoiceSession, handlers: VoiceInputHandlers) => Promise<VoiceInput>;
