/**
 * Every error the gateway reports, coded in one place. `recoverable` tells the client whether the session goes on.
 * Stages throw GatewayError; the session turns it into an `error` message and a metric.
 */
export const ERROR_CODES = {
  bad_json: { recoverable: true, doc: 'a text frame that is not JSON' },
  unknown_type: { recoverable: true, doc: 'a message type protocol v1 does not have' },
  invalid_message: { recoverable: true, doc: 'a known type with missing or wrongly typed fields' },
  not_started: { recoverable: true, doc: 'a message or audio before session_start' },
  already_started: { recoverable: true, doc: 'a second session_start on one connection' },
  bad_audio_format: { recoverable: true, doc: 'an audio format outside 8-48 kHz, 1-2 channels, pcm16' },
  audio_not_expected: { recoverable: true, doc: 'audio on a session started without an audio format' },
  audio_after_end: { recoverable: true, doc: 'audio while the utterance ended by audio_end is being transcribed; dropped' },
  audio_overflow: { recoverable: true, doc: 'audio arrived faster than it could be processed; the oldest was dropped' },
  text_too_long: { recoverable: true, doc: 'text_input longer than limits.maxTextChars' },
  empty_text: { recoverable: true, doc: 'text_input with no text' },
  model_not_ready: { recoverable: true, doc: 'a model this request needs is still loading or failed to load' },
  asr_busy: { recoverable: true, doc: 'too many transcriptions queued' },
  asr_failed: { recoverable: true, doc: 'the speech recogniser failed on this utterance' },
  llm_unavailable: { recoverable: true, doc: 'the LLM server could not be reached or answered with an error' },
  llm_timeout: { recoverable: true, doc: 'the LLM server did not answer in time' },
  agent_failed: { recoverable: true, doc: 'the agent graph failed' },
  tts_failed: { recoverable: true, doc: 'speech synthesis failed' },
  internal: { recoverable: true, doc: 'an unexpected error; the turn was ended' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class GatewayError extends Error {
  override name = 'GatewayError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  get recoverable(): boolean {
    return ERROR_CODES[this.code].recoverable;
  }
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/**
 * WebSocket close codes (4000-4999 are the application's). Only abuse of limits closes a session.
 */
export const CLOSE_CODES = {
  normal: { code: 1000, doc: 'the client closed, or the gateway is shutting down' },
  goingAway: { code: 1001, doc: 'the gateway is shutting down' },
  frameTooLarge: { code: 1009, doc: 'a frame over limits.maxFrameBytes' },
  idleTimeout: { code: 4000, doc: 'nothing received for limits.idleTimeoutMs' },
  sessionTooLong: { code: 4001, doc: 'the session lasted longer than limits.maxSessionMs' },
  tooManySessions: { code: 4002, doc: 'limits.maxSessions sessions are already open' },
} as const;
