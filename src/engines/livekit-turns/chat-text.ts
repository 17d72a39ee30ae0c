import type { ContextMessage } from '../../contracts/turns.ts';

/**
 * The text LiveKit's turn detector was trained on: each message lower-cased, NFKC-normalised, stripped of
 * punctuation except apostrophes and hyphens, whitespace collapsed.
 */
export function normalizeUtterance(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[^\P{P}'-]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** LiveKit's window: the utterance and the five messages before it. */
const MAX_MESSAGES = 6;

/**
 * The model's input: the conversation as ChatML (adjacent messages of one role joined, as in training), ending
 * with the user's utterance without its closing `<|im_end|>`, whose probability as the next token is the
 * end-of-utterance probability. '' when nothing is left of the utterance to judge.
 */
export function chatText(utterance: string, context: readonly ContextMessage[] = []): string {
  if (normalizeUtterance(utterance) === '') return '';
  const messages: ContextMessage[] = [];
  for (const { role, text } of [...context, { role: 'user' as const, text: utterance }].slice(-MAX_MESSAGES)) {
    const content = normalizeUtterance(text);
    if (content === '') continue;
    const last = messages.at(-1);
    if (last?.role === role) last.text += ` ${content}`;
    else messages.push({ role, text: content });
  }
  const conversation = messages.map(({ role, text }) => `<|im_start|>${role}\n${text}<|im_end|>\n`).join('');
  return conversation.slice(0, conversation.lastIndexOf('<|im_end|>'));
}
