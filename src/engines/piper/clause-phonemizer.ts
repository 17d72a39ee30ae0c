/** Turns a sentence's clauses into espeak IPA (one string per clause, punctuation dropped), off the event loop. */
export interface ClausePhonemizer {
  /** Rejects with an AbortError once `signal` aborts. */
  phonemize(clauses: readonly string[], signal: AbortSignal): Promise<string[]>;
  close(): Promise<void>;
}

export function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error && signal.reason.name === 'AbortError'
    ? signal.reason
    : new DOMException('The operation was aborted', 'AbortError');
}
