import { ToolMessage, isAIMessage, isToolMessage, type BaseMessage } from '@langchain/core/messages';

/** What the model reads for a call that never finished: the user cut in, so there is no output, and it says so. */
export const CANCELLED_TOOL_RESULT = 'Cancelled: the user interrupted before this tool call finished. It has no result.';

/**
 * Memory that strict OpenAI-compatible servers accept: every assistant tool call answered by a tool message right
 * after it, and no tool message without its call. An interrupt can leave a call unanswered (the run stopped between
 * the model's call and the tool's result) or a client's tool output arriving after the conversation moved on. The
 * unanswered call gets a cancelled result (a cancelled result is a result); the orphan result is dropped.
 * Returns the repaired list, or undefined when the messages are valid already.
 */
export function settleToolCalls(messages: readonly BaseMessage[]): BaseMessage[] | undefined {
  const repaired: BaseMessage[] = [];
  let changed = false;
  /** Calls of the latest assistant message still waiting for their results. */
  let pending = new Map<string, string>();
  const cancelPending = () => {
    for (const [id, name] of pending) repaired.push(new ToolMessage({ tool_call_id: id, name, content: CANCELLED_TOOL_RESULT }));
    if (pending.size > 0) changed = true;
    pending = new Map();
  };
  for (const message of messages) {
    if (isToolMessage(message)) {
      if (pending.delete(message.tool_call_id)) repaired.push(message);
      else changed = true;
      continue;
    }
    cancelPending();
    repaired.push(message);
    if (isAIMessage(message)) for (const call of message.tool_calls ?? []) pending.set(call.id ?? '', call.name);
  }
  cancelPending();
  return changed ? repaired : undefined;
}
