import { HumanMessage, isAIMessage, type BaseMessage } from '@langchain/core/messages';

/** A rough token count (4 characters each) of what a message costs in a request: its text and its tool calls. */
export function estimateTokens(message: BaseMessage): number {
  const text = typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
  const calls = isAIMessage(message) && message.tool_calls?.length ? JSON.stringify(message.tool_calls) : '';
  // A few tokens of framing per message whatever its length.
  return Math.ceil((text.length + calls.length) / 4) + 4;
}

/**
 * Splits the history into what fits `maxTokens` and what is dropped: whole exchanges from the oldest, each starting
 * at a user message, so a tool call is never kept without its result (or the reverse). The newest exchange is
 * always kept, whatever its size. The system prompt is not part of the history and is never dropped.
 */
export function fitToBudget(messages: readonly BaseMessage[], maxTokens: number): { kept: BaseMessage[]; dropped: BaseMessage[] } {
  const starts = messages.flatMap((m, i) => (HumanMessage.isInstance(m) ? [i] : []));
  let total = messages.reduce((sum, m) => sum + estimateTokens(m), 0);
  let cut = 0;
  for (const start of starts.slice(1)) {
    if (total <= maxTokens) break;
    for (const m of messages.slice(cut, start)) total -= estimateTokens(m);
    cut = start;
  }
  return { kept: messages.slice(cut), dropped: messages.slice(0, cut) };
}
