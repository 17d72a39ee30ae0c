/**
 * Every error the gateway reports, coded in one place. For each code:
 * - `stage`: where it happens, the `stage` label of `s2s_errors_total`;
 * - `recoverable`: the session goes on after it (false: the session ends, and a transport closes its connection);
 * - `retryable`: sending the same request again, later, can succeed (a model still loading, a busy or unreachable
 *   peer); false when the request itself is at fault or the failure would repeat.
 * Stages throw GatewayError; the session turns it into an `error` event and a metric; transports put it on the wire.
 */
export const ERROR_CODES = {
  bad_json: { stage: 'session', recoverable: true, retryable: false, doc: 'a text frame that is not JSON' },
  unknown_type: { stage: 'session', recoverable: true, retryable: false, doc: 'a message type the protocol does not have' },
  invalid_message: { stage: 'session', recoverable: true, retryable: false, doc: 'a known type with missing or wrongly typed fields' },
  not_started: { stage: 'session', recoverable: true, retryable: false, doc: 'a message or audio before the session was started' },
  already_started: { stage: 'session', recoverable: true, retryable: false, doc: 'a second start on one connection' },
  bad_audio_format: { stage: 'session', recoverable: true, retryable: false, doc: 'an audio format outside 8-48 kHz, 1-2 channels, pcm16' },
  audio_not_expected: { stage: 'session', recoverable: true, retryable: false, doc: 'audio on a session started without an audio format' },
  audio_after_end: {
    stage: 'session',
    recoverable: true,
    retryable: true,
    doc: 'audio while the utterance ended by audio_end is being transcribed; dropped',
  },
  audio_overflow: {
    stage: 'vad_endpoint',
    recoverable: true,
    retryable: false,
    doc: 'audio arrived faster than it could be processed; the oldest was dropped',
  },
  text_too_long: { stage: 'session', recoverable: true, retryable: false, doc: 'text input longer than limits.maxTextChars' },
  empty_text: { stage: 'session', recoverable: true, retryable: false, doc: 'text input with no text' },
  model_not_ready: { stage: 'session', recoverable: true, retryable: true, doc: 'a model this request needs is still loading or failed to load' },
  asr_busy: { stage: 'asr', recoverable: true, retryable: true, doc: 'too many transcriptions queued' },
  asr_failed: { stage: 'asr', recoverable: true, retryable: false, doc: 'the speech recogniser failed on this utterance' },
  llm_unavailable: { stage: 'agent', recoverable: true, retryable: true, doc: 'the LLM server could not be reached or answered with an error' },
  llm_timeout: { stage: 'agent', recoverable: true, retryable: true, doc: 'the LLM server did not answer in time' },
  memory_unavailable: {
    stage: 'agent',
    recoverable: true,
    retryable: true,
    doc: 'conversation memory (Postgres) cannot be reached or timed out; the gateway reconnects by itself',
  },
  session_store_unavailable: {
    stage: 'session',
    recoverable: true,
    retryable: true,
    doc: 'the session store (Redis) cannot be reached; the session went on without its saved settings',
  },
  turn_rate_limited: { stage: 'session', recoverable: true, retryable: true, doc: 'more turns than limits.maxTurnsPerMinute in one minute' },
  agent_failed: { stage: 'agent', recoverable: true, retryable: false, doc: 'the agent graph failed' },
  tts_busy: {
    stage: 'tts',
    recoverable: true,
    retryable: true,
    doc: 'every synthesis slot (admission.maxSpeakingTurns) is taken; the turn was refused before the LLM was called',
  },
  knowledge_unavailable: {
    stage: 'agent',
    recoverable: true,
    retryable: true,
    doc: 'the knowledge store or the embeddings server failed; the answer goes on without the documents',
  },
  knowledge_timeout: {
    stage: 'agent',
    recoverable: true,
    retryable: true,
    doc: 'knowledge search took longer than knowledge.timeoutMs; the answer goes on without the documents',
  },
  tts_failed: { stage: 'tts', recoverable: true, retryable: false, doc: 'speech synthesis failed' },
  internal: { stage: 'session', recoverable: true, retryable: false, doc: 'an unexpected error; the turn was ended' },
  resume_refused: {
    stage: 'session',
    recoverable: true,
    retryable: false,
    doc: 'session_id names no session this client may resume: unknown, expired, or owned by another credential without its resume secret',
  },
  // Requests of the speech APIs (transcription and synthesis over HTTP, seed APIs).
  invalid_request: { stage: 'session', recoverable: true, retryable: false, doc: 'an API request with missing or wrongly typed fields' },
  unsupported_audio: { stage: 'session', recoverable: true, retryable: false, doc: 'an uploaded audio file in a format the gateway does not decode (HTTP 415)' },
  bad_audio: { stage: 'session', recoverable: true, retryable: false, doc: 'an uploaded audio file that could not be decoded' },
  audio_too_large: { stage: 'session', recoverable: true, retryable: false, doc: 'an upload over speechApi.maxUploadBytes (HTTP 413)' },
  audio_too_long: { stage: 'session', recoverable: true, retryable: false, doc: 'uploaded audio longer than speechApi.maxAudioSeconds (HTTP 413)' },
  unknown_model: { stage: 'session', recoverable: true, retryable: false, doc: 'a model the gateway does not serve' },
  unknown_voice: { stage: 'tts', recoverable: true, retryable: false, doc: 'a voice the gateway does not have' },
  // The session's own limits: these end it.
  idle_timeout: { stage: 'session', recoverable: false, retryable: false, doc: 'nothing received for limits.idleTimeoutMs' },
  session_too_long: { stage: 'session', recoverable: false, retryable: false, doc: 'the session lasted longer than limits.maxSessionMs' },
  too_many_sessions: { stage: 'session', recoverable: false, retryable: true, doc: 'limits.maxSessions sessions are already open' },
  frame_too_large: { stage: 'session', recoverable: false, retryable: false, doc: 'a frame over limits.maxFrameBytes' },
  handshake_timeout: { stage: 'session', recoverable: false, retryable: true, doc: 'no session started within access.handshakeTimeoutMs of connecting' },
  session_taken_over: { stage: 'session', recoverable: false, retryable: false, doc: 'another connection of the owner resumed this session' },
  key_session_limit: { stage: 'session', recoverable: false, retryable: true, doc: 'this API key already holds access.maxSessionsPerKey sessions' },
  overloaded: {
    stage: 'session',
    recoverable: false,
    retryable: true,
    doc: 'the gateway is shedding load (event-loop lag, ASR or TTS queue, memory past an admission limit); connect again later',
  },
  shutting_down: { stage: 'session', recoverable: false, retryable: true, doc: 'the gateway is draining to shut down; connect again and resume' },
} as const satisfies Record<string, { stage: ErrorStage; recoverable: boolean; retryable: boolean; doc: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Values of the `stage` label of stage durations, in pipeline order. */
export const STAGES = ['vad_endpoint', 'asr', 'agent', 'tts', 'playback'] as const;
export type Stage = (typeof STAGES)[number];

/** Errors outside a pipeline stage (protocol, limits) count under `session`. */
export const ERROR_STAGES = [...STAGES, 'session'] as const;
export type ErrorStage = (typeof ERROR_STAGES)[number];

/** The codes that end a session. */
export type SessionEndCode = { [C in ErrorCode]: (typeof ERROR_CODES)[C]['recoverable'] extends false ? C : never }[ErrorCode];

import { redactInternals } from './redact.ts';

export class GatewayError extends Error {
  override name = 'GatewayError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** The session goes on after this error. */
  get recoverable(): boolean {
    return ERROR_CODES[this.code].recoverable;
  }

  /** The same request may succeed if sent again later. */
  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }

  /** The message for clients: without the internal addresses and paths a dependency's error may name. */
  get publicMessage(): string {
    return redactInternals(this.message);
  }

  get stage(): ErrorStage {
    return ERROR_CODES[this.code].stage;
  }

  /** Any thrown value as a GatewayError: unknown failures become `fallback` (with the original as cause). */
  static from(err: unknown, fallback: ErrorCode = 'internal', context?: string): GatewayError {
    if (err instanceof GatewayError) return err;
    const message = err instanceof Error ? err.message : String(err);
    return new GatewayError(fallback, context ? `${context}: ${message}` : message, { cause: err });
  }
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}
