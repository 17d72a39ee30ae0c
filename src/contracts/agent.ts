import type { Context } from '@opentelemetry/api';
import type { GatewayError } from '../core/errors.ts';

/** A function the client runs itself: offered to the model beside the agent's own tools, never run by the agent. */
export interface ClientTool {
  name: string;
  description?: string | undefined;
  /** JSON Schema of the arguments. */
  parameters?: Record<string, unknown> | undefined;
}

/** A document passage a knowledge search gave the model: for the client to show, never read aloud. */
export interface KnowledgeSource {
  /** The document's file name. */
  title: string;
  /** The headings above the passage, joined by " > ". */
  section: string;
  /** Cosine similarity to the query. */
  score: number;
  excerpt: string;
}

export type AgentEvent =
  | { type: 'token'; text: string }
  /** The agent ran one of its own tools; a knowledge search adds the passages it found. */
  | { type: 'tool_call'; name: string; args: unknown; sources?: KnowledgeSource[] }
  /** One of the agent's own tools failed; the answer goes on without it. */
  | { type: 'tool_failed'; name: string; error: GatewayError }
  /** The model called a client tool: the answer stops here until the client sends the call's output. */
  | { type: 'client_tool_call'; callId: string; name: string; arguments: string }
  /** One LLM call finished: its token counts, and whether it stopped at the token limit rather than by choice. */
  | { type: 'usage'; inputTokens: number; outputTokens: number; stoppedAtLimit: boolean };

/** Something added to a conversation without asking for an answer. */
export type ConversationItem =
  | { type: 'user_text'; text: string }
  /** An earlier answer, as a client restoring a conversation gives it. */
  | { type: 'assistant_text'; text: string }
  /** What the client's function returned for a `client_tool_call`. */
  | { type: 'tool_output'; callId: string; output: string };

export interface AgentTurn {
  /** Conversation (thread) id; the session id. */
  threadId: string;
  /** The user's new message; absent to answer the conversation as it stands (after items or a tool output). */
  text?: string | undefined;
  lang: string;
  signal: AbortSignal;
  /** Added to the agent's system prompt for this turn. */
  instructions?: string | undefined;
  /** Offered to the model beside the agent's own tools. */
  clientTools?: readonly ClientTool[] | undefined;
  /**
   * Present on a speculative (draft) turn: the agent may think and stream tokens, but writes no memory and runs no
   * tool until this resolves true; false means the draft was dropped (its signal aborts too).
   */
  commit?: Promise<boolean> | undefined;
  /** The agent span's context, so the LLM calls inside become its children. */
  traceContext?: Context;
}

/** The conversational brain. Memory is per thread and keeps only what the user actually heard. */
export interface Agent {
  respond(turn: AgentTurn): AsyncIterable<AgentEvent>;
  /** Replaces the last assistant answer of a thread with the part the user heard (after an interruption). */
  truncateLastAnswer(threadId: string, heardText: string): Promise<void>;
  /** Adds items to a thread's memory, in order, without answering. */
  addItems(threadId: string, items: readonly ConversationItem[]): Promise<void>;
  close(): Promise<void>;
}
