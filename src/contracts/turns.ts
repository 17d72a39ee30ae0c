/**
 * How finished an utterance looks from its (partial) transcript, for adaptive endpointing: 'complete' ends the
 * turn after a short silence, 'hesitant' (a trailing "and", "um", "然后") waits longer, 'open' keeps the
 * configured window.
 */
export type Completeness = 'complete' | 'hesitant' | 'open';

/** A turn of the conversation before the utterance being judged: what the user said, or what the assistant answered. */
export interface ContextMessage {
  role: 'user' | 'assistant';
  text: string;
}

export interface AssessOptions {
  /** The utterance's language (primary subtag or full tag) when known: the session's, or the one whisper heard. */
  lang?: string | undefined;
  /** The last turns before this utterance, oldest first: an answer to "your phone number?" may be just digits. */
  context?: readonly ContextMessage[] | undefined;
  /** The utterance ended or changed: the answer is no longer wanted. */
  signal: AbortSignal;
}

/** An end-of-turn detector: text rules, or a model such as LiveKit's turn detector. */
export interface TurnDetector {
  assess(transcript: string, options: AssessOptions): Promise<Completeness>;
  close(): Promise<void>;
}
