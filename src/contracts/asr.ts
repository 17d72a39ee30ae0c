export interface TranscribeOptions {
  /** ISO 639-1 code, or 'auto' to let the model detect it. */
  language: string;
  signal: AbortSignal;
  /** Requests are served round-robin across sessions so one session's burst cannot starve the others. */
  sessionId?: string;
  /**
   * `batch` (a file sent to an API) waits while any live session's transcription waits, so uploads cannot delay a
   * conversation's turn; unset: live.
   */
  priority?: 'live' | 'batch';
}

export interface Transcript {
  text: string;
  /** Wall time the engine spent on it. */
  engineMs: number;
  /** The spoken language, as detected when asked for 'auto'. */
  language?: string;
}

/** Speech to text over 16 kHz mono PCM16. One instance (a bounded pool of engine contexts) serves all sessions. */
export interface Transcriber {
  /** Waits in a fair queue for a context; rejects with GatewayError('asr_busy') when the queue is full. */
  transcribe(audio16k: Int16Array, options: TranscribeOptions): Promise<Transcript>;
  /** Utterances waiting in that queue now (the s2s_asr_queue_depth metric); absent for an engine without one. */
  queued?(): number;
  /** A partial never waits: resolves `undefined` at once when no context is idle. */
  transcribePartial(audio16k: Int16Array, options: TranscribeOptions): Promise<Transcript | undefined>;
  /** Utterances waiting for a context now, for admission; an engine without a queue of its own leaves it out. */
  queued?(): number;
  close(): Promise<void>;
}
