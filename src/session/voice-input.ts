import type { ErrorStage } from '../observability/metrics.ts';
import type { GatewayError } from '../core/errors.ts';
import type { ServerMessage, audioFormatSchema } from '../transports/v1/messages.ts';
import type { z } from 'zod';
import type { NextTurn } from './session.ts';

export interface VoiceInputHandlers {
  send(message: ServerMessage): void;
  /** Whether the assistant is speaking now (a turn is running), for barge-in. */
  speaking(): boolean;
  bargeIn(): void;
  /** A final, non-empty transcript: starts a turn. */
  utterance(next: NextTurn): void;
  error(error: GatewayError, stage: ErrorStage): void;
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
export type VoiceInputFactory = (format: z.infer<typeof audioFormatSchema>, session: VoiceSession, handlers: VoiceInputHandlers) => Promise<VoiceInput>;
