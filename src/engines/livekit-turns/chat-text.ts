/**
 * The text LiveKit's turn detector was trained on: each message lower-cased, NFKC-normalised, stripped of
 * punctuation except apostrophes and hyphens, whitespace collapsed; framed as a ChatML user message without its
 * closing `<|im_end|>`, whose probability as the next token is the end-of-utterance probability.
 */
export function normalizeUtterance(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[^\P{P}'-]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** The model's input for one user utterance, or '' when nothing is left of it to judge. */
export function chatText(utterance: string): string {
  const content = normalizeUtterance(utterance);
  return content === '' ? '' : `<|im_start|>user\n${content}`;
}
