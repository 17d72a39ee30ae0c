import type { Completeness } from '../../contracts/turns.ts';

/*
 * The text rules of adaptive endpointing: a trailing conjunction, filler or hesitation means more is coming ("and",
 * "um", "so", "然后", "那个"); a sentence end (whisper punctuates what it hears as finished) means the user is done.
 * Hesitation is checked first: "and um." is still hesitant.
 */

const TRAILING_EN =
  /(?:^|[\s,;:])(?:and|or|but|so|because|cause|then|also|plus|like|um+|uh+|er+|erm|ah|hmm+|mm+|the|a|an|to|of|for|with|if|that|which|when|i mean|you know)[\s,.…!?-]*$/iu;
const TRAILING_ZH = /(?:然后|那个|这个|就是|还有|而且|但是|可是|所以|因为|如果|或者|嗯|呃|额|啊)[\s，,。.…！？!?-]*$/u;
/** A trailing ellipsis or comma: whisper's own mark of an unfinished thought. */
const TRAILING_PAUSE_MARK = /(?:\.\.\.|…|,|，)\s*$/u;
const SENTENCE_END = /[.?!。？！]["'”’」』)）]*\s*$/u;

export function completeness(text: string): Completeness {
  const t = text.trim();
  if (t === '') return 'open';
  if (TRAILING_EN.test(t) || TRAILING_ZH.test(t) || TRAILING_PAUSE_MARK.test(t)) return 'hesitant';
  return SENTENCE_END.test(t) ? 'complete' : 'open';
}

export interface AdaptiveSilence {
  /** After an utterance that looks finished. */
  completeSilenceMs: number;
  /** Neither: the configured `vad.minSilenceMs`. */
  baseSilenceMs: number;
  /** After a trailing conjunction, filler or hesitation. */
  hesitantSilenceMs: number;
}

/** The silence that should end an utterance that looks `kind`. */
export function silenceNeededMs(kind: Completeness, bounds: AdaptiveSilence): number {
  if (kind === 'complete') return bounds.completeSilenceMs;
  if (kind === 'hesitant') return bounds.hesitantSilenceMs;
  return bounds.baseSilenceMs;
}
