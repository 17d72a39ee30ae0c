import type { Context } from '@opentelemetry/api';

export type AgentEvent =
  | { type: 'token'; text: string }
  | { type: 'tool_call'; name: string; args: unknown };

export interface AgentTurn {
  /** Conversation (thread) id; the session id. */
  threadId: string;
  text: string;
  lang: string;
  signal: AbortSignal;
  /** The agent span's context, so the LLM calls inside become its children. */
  traceContext?: Context;
}

/** The conversational brain. Memory is per thread and keeps only what the user actually heard. */
export interface Agent {
  respond(turn: AgentTurn): AsyncIterable<AgentEvent>;
  /** Replaces the last assistant answer of a thread with the part the user heard (after an interruption). */
  truncateLastAnswer(threadId: string, heardText: string): Promise<void>;
  close(): Promise<void>;
}
