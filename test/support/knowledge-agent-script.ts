import type { LlmScript, RecordedRequest } from './llm-server.ts';

/** The names of the tools an LLM request offered. */
export function offeredTools(request: RecordedRequest | undefined): string[] {
  return ((request?.body.tools ?? []) as { function: { name: string } }[]).map((t) => t.function.name).sort();
}

/**
 * The LLM stand-in as a model that uses `search_knowledge`: it searches for the user's words when the tool is
 * offered, then answers from what the tool said (a passage holding the fact, nothing found, or unavailable).
 */
export function knowledgeAgentScript(request: RecordedRequest): LlmScript {
  const messages = request.body.messages ?? [];
  const last = messages.at(-1);
  if (last?.role === 'tool') {
    // The best passage comes first.
    const found = String(last.content).split('\n\n---\n\n')[0] ?? '';
    if (found.includes('seventeen business days')) return { text: 'A refund for that headset takes seventeen business days.' };
    if (found.includes('二十七个月')) return { text: '极光X2耳机的保修期是二十七个月。' };
    if (found.includes('cannot be searched')) return { text: 'I cannot look that up right now.' };
    return { text: 'I am sorry, I do not know.' };
  }
  if (offeredTools(request).includes('search_knowledge')) {
    const question = [...messages].reverse().find((m) => m.role === 'user');
    return { toolCalls: [{ name: 'search_knowledge', arguments: JSON.stringify({ query: String(question?.content) }) }] };
  }
  return { text: 'I can only chat.' };
}
