import type { Synthesizer } from '../contracts/tts.ts';
import { PhraseChunker } from '../stages/chunker/chunker.ts';

export interface TextSynthesisOptions {
  signal: AbortSignal;
  speed?: number | undefined;
  speaker?: string | number | undefined;
  language?: string | undefined;
  /** Told when each phrase starts and ends, for its span and stage metric. */
  onPhrase?: (phrase: string) => { end(error?: unknown): void };
}

/**
 * A text's speech, phrase by phrase as each is synthesised (the first phrase short, so audio starts early), as
 * `batch` work: the engine serves live sessions' phrases first. Stops without error once `signal` aborts.
 */
export async function* synthesizeText(synthesizer: Synthesizer, text: string, options: TextSynthesisOptions): AsyncGenerator<Int16Array> {
  const chunker = new PhraseChunker();
  const phrases = [...chunker.push(text), ...chunker.flush()];
  for (const phrase of phrases) {
    if (options.signal.aborted) return;
    const span = options.onPhrase?.(phrase);
    try {
      for await (const pcm of synthesizer.synthesize(phrase, {
        signal: options.signal,
        speed: options.speed,
        speaker: options.speaker,
        language: options.language,
        priority: 'batch',
      })) {
        yield pcm;
      }
      span?.end();
    } catch (err) {
      span?.end(err);
      throw err;
    }
  }
}
