import { isAbortError } from '../../core/errors.ts';

/**
 * The sentences' audio in order, with one sentence prepared ahead: a worker phonemises the next sentence while the
 * model speaks the current one (Piper's and Kokoro's way). Ends quietly once `signal` aborts; any other failure
 * ends it with that failure.
 */
export async function* speakAhead<S, P>(
  sentences: readonly S[],
  prepare: (sentence: S) => Promise<P>,
  speak: (prepared: P) => AsyncIterable<Int16Array>,
  signal: AbortSignal,
): AsyncGenerator<Int16Array> {
  const ahead = (index: number): Promise<P> | undefined => {
    const sentence = sentences[index];
    if (sentence === undefined) return undefined;
    const prepared = prepare(sentence);
    // Awaited later, or never when speech stops early: an abort must not surface as an unhandled rejection.
    prepared.catch(() => {});
    return prepared;
  };
  let next = ahead(0);
  for (let i = 0; next !== undefined && !signal.aborted; i++) {
    try {
      const prepared = await next;
      next = ahead(i + 1);
      for await (const audio of speak(prepared)) {
        if (signal.aborted) return;
        yield audio;
      }
    } catch (err) {
      if (signal.aborted && isAbortError(err)) return;
      throw err;
    }
  }
}
