import { PhraseChunker, type PhraseChunkerOptions } from './chunker.ts';

/**
 * The chunker as a stream stage: LLM tokens in, phrases out. Once `signal` aborts it stops promptly, without
 * throwing and without flushing, even while the token source is stuck, and releases the source.
 */
export async function* phrases(
  tokens: AsyncIterable<string>,
  signal: AbortSignal,
  options?: PhraseChunkerOptions,
): AsyncIterable<string> {
  if (signal.aborted) return;
  const chunker = new PhraseChunker(options);
  const source = tokens[Symbol.asyncIterator]();
  const { promise: aborted, resolve: onAbort } = Promise.withResolvers<'aborted'>();
  const abortListener = () => onAbort('aborted');
  signal.addEventListener('abort', abortListener, { once: true });
  try {
    for (;;) {
      const next = await Promise.race([source.next(), aborted]);
      if (next === 'aborted') return;
      const done = next.done === true;
      for (const phrase of done ? chunker.flush() : chunker.push(next.value)) {
        if (signal.aborted) return;
        yield phrase;
      }
      if (done) return;
    }
  } finally {
    signal.removeEventListener('abort', abortListener);
    // Tell the source we are done; a source stuck on a hung stream may never settle, so do not wait for it.
    void source.return?.()?.catch(() => undefined);
  }
}
