import { AIMessage, AIMessageChunk, HumanMessage, RemoveMessage, ToolMessage, isAIMessage, type BaseMessage } from '@langchain/core/messages';
import { randomUUID } from 'node:crypto';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { context } from '@opentelemetry/api';
import type { Config } from '../config/schema.ts';
import { GatewayError } from '../core/errors.ts';
import type { Agent, AgentEvent, AgentTurn, ConversationItem } from '../contracts/agent.ts';
import type { Checkpointer } from './checkpointer.ts';
import { MODEL_NODE, buildDefaultGraph, type TurnConfigurable } from './graph.ts';
import { FinishReasons } from './finish-reasons.ts';
import { LlmTracingHandler } from './llm-tracing.ts';
import { loadAgentModule, type AgentGraph } from './module.ts';
import { LlmWatchdog } from './watchdog.ts';

type RunConfig = { configurable: { thread_id: string; lang?: string } };

/** Runs a compiled LangGraph graph (built-in or the user's) as the gateway's Agent. */
export class LangGraphAgent implements Agent {
  readonly #graph: AgentGraph;
  readonly #llm: Config['llm'];
  readonly #checkpointer: Checkpointer;

  private constructor(graph: AgentGraph, llm: Config['llm'], checkpointer: Checkpointer) {
    this.#graph = graph;
    this.#llm = llm;
    this.#checkpointer = checkpointer;
  }

  /** `checkpointer`: conversation memory, owned by the caller (it outlives the agent and reports to `/ready`). */
  static async create(config: Config, checkpointer: Checkpointer): Promise<LangGraphAgent> {
    const graph = config.agent.module
      ? await loadAgentModule(config.agent.module, checkpointer.saver)
      : (buildDefaultGraph(config, checkpointer.saver) as unknown as AgentGraph);
    return new LangGraphAgent(graph, config.llm, checkpointer);
  }

  get checkpointer(): BaseCheckpointSaver {
    return this.#checkpointer.saver;
  }

  async *respond(turn: AgentTurn): AsyncIterable<AgentEvent> {
    const watchdog = new LlmWatchdog(this.#llm, turn.signal);
    let userMessage: HumanMessage | undefined;
    try {
      const configurable: TurnConfigurable & { thread_id: string } = { thread_id: turn.threadId, lang: turn.lang };
      if (turn.instructions) configurable.instructions = turn.instructions;
      if (turn.clientTools?.length) configurable.clientTools = turn.clientTools;
      const clientToolNames = new Set(turn.clientTools?.map((t) => t.name));
      const finishReasons = new FinishReasons();
      userMessage = turn.text === undefined ? undefined : new HumanMessage({ content: turn.text, id: randomUUID() });
      const stream = await this.#graph.stream(
        // No new message: the model answers the conversation as it stands (items or a tool output were added).
        { messages: userMessage ? [userMessage] : [] },
        {
          streamMode: ['messages', 'updates'],
          signal: watchdog.signal,
          configurable,
          callbacks: [new LlmTracingHandler(turn.traceContext ?? context.active(), this.#llm.model), finishReasons],
        },
      );
      for await (const [mode, chunk] of stream as AsyncIterable<[string, unknown]>) {
        for (const event of mode === 'messages' ? tokenEvents(chunk) : toolCallEvents(chunk, clientToolNames, finishReasons)) {
          if (event.type === 'token') watchdog.tokenArrived();
          yield event;
        }
      }
    } catch (err) {
      if (turn.signal.aborted) return;
      const error = watchdog.timeoutError() ?? toGatewayError(err);
      if (userMessage?.id) await this.#forgetFailedTurn(turn.threadId, userMessage.id);
      throw error;
    } finally {
      watchdog.dispose();
    }
  }

  /**
   * One throwaway exchange until its first token, so the first user's turn does not pay for lazy set-up in
   * LangGraph and the OpenAI client (about 30 ms here), and the LLM server has the system prompt cached.
   */
  async warmUp(signal: AbortSignal): Promise<void> {
    const threadId = `warmup-${randomUUID()}`;
    const turn = new AbortController();
    const stop = () => turn.abort();
    signal.addEventListener('abort', stop, { once: true });
    try {
      // Aborting (rather than breaking out) lets the graph wind down before the stream closes.
      for await (const event of this.respond({ threadId, text: 'Hello.', lang: 'en', signal: turn.signal })) {
        if (event.type === 'token') turn.abort();
      }
    } finally {
      signal.removeEventListener('abort', stop);
      turn.abort();
      await this.#checkpointer.saver.deleteThread(threadId);
    }
  }

  /**
   * A turn that failed leaves no unanswered user message (nor half a tool exchange) behind: the next request would
   * otherwise carry it as if the user had said it twice. Best effort: memory that is down kept nothing anyway.
   */
  async #forgetFailedTurn(threadId: string, userMessageId: string): Promise<void> {
    try {
      const config: RunConfig = { configurable: { thread_id: threadId } };
      const state = await this.#graph.getState(config);
      const messages = (state.values as { messages?: BaseMessage[] }).messages ?? [];
      const from = messages.findIndex((m) => m.id === userMessageId);
      if (from < 0) return;
      const removals = messages.slice(from).flatMap((m) => (m.id ? [new RemoveMessage({ id: m.id })] : []));
      const asNode = MODEL_NODE in (this.#graph.nodes ?? {}) ? MODEL_NODE : undefined;
      await this.#graph.updateState(config, { messages: removals }, asNode);
    } catch {
      // Memory unreachable: the message was not kept either.
    }
  }

  async truncateLastAnswer(threadId: string, heardText: string): Promise<void> {
    const config: RunConfig = { configurable: { thread_id: threadId } };
    const state = await this.#graph.getState(config);
    const messages = ((state.values as { messages?: BaseMessage[] }).messages ?? []);
    const last = messages.at(-1);
    const lastIsAnswer = last !== undefined && isAIMessage(last) && !last.tool_calls?.length;
    let update: BaseMessage | undefined;
    if (lastIsAnswer && last.id) {
      if (last.content === heardText) return;
      update = heardText ? new AIMessage({ id: last.id, content: heardText }) : new RemoveMessage({ id: last.id });
    } else if (heardText) {
      // An interrupted run never stored its answer: record what was heard after the user's message.
      update = new AIMessage(heardText);
    }
    if (!update) return;
    const asNode = MODEL_NODE in (this.#graph.nodes ?? {}) ? MODEL_NODE : undefined;
    await this.#graph.updateState(config, { messages: [update] }, asNode);
  }

  async addItems(threadId: string, items: readonly ConversationItem[]): Promise<void> {
    if (items.length === 0) return;
    const messages = items.map((item) => {
      if (item.type === 'user_text') return new HumanMessage(item.text);
      if (item.type === 'assistant_text') return new AIMessage(item.text);
      return new ToolMessage({ tool_call_id: item.callId, content: item.output });
    });
    const asNode = MODEL_NODE in (this.#graph.nodes ?? {}) ? MODEL_NODE : undefined;
    await this.#graph.updateState({ configurable: { thread_id: threadId } }, { messages }, asNode);
  }

  async close(): Promise<void> {
    // The checkpointer is its owner's to close.
  }
}

function tokenEvents(chunk: unknown): AgentEvent[] {
  const [message] = chunk as [BaseMessage, Record<string, unknown>];
  if (!(message instanceof AIMessageChunk) || typeof message.content !== 'string' || message.content === '') return [];
  return [{ type: 'token', text: message.content }];
}

function toolCallEvents(chunk: unknown, clientToolNames: ReadonlySet<string>, finishReasons: FinishReasons): AgentEvent[] {
  const events: AgentEvent[] = [];
  for (const update of Object.values(chunk as Record<string, { messages?: BaseMessage[] } | undefined>)) {
    for (const message of update?.messages ?? []) {
      if (!isAIMessage(message)) continue;
      const usage = message.usage_metadata;
      const stoppedAtLimit = finishReasons.next() === 'length';
      if (usage) events.push({ type: 'usage', inputTokens: usage.input_tokens, outputTokens: usage.output_tokens, stoppedAtLimit });
      for (const call of message.tool_calls ?? []) {
        events.push(
          clientToolNames.has(call.name)
            ? { type: 'client_tool_call', callId: call.id ?? '', name: call.name, arguments: JSON.stringify(call.args) }
            : { type: 'tool_call', name: call.name, args: call.args },
        );
      }
    }
  }
  return events;
}

/** Maps what the OpenAI client and LangGraph throw to the gateway's codes. */
function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const e = err as { status?: unknown; message?: unknown; name?: unknown; cause?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (typeof e?.status === 'number') {
    return new GatewayError('llm_unavailable', `the LLM server answered HTTP ${e.status}`, { cause: err });
  }
  if (/connect|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|fetch failed|socket|network|terminated/i.test(`${message} ${String(e?.name)}`)) {
    return new GatewayError('llm_unavailable', `the LLM server cannot be reached: ${message}`, { cause: err });
  }
  if (/timed? ?out/i.test(message)) return new GatewayError('llm_timeout', `the LLM server timed out: ${message}`, { cause: err });
  return new GatewayError('agent_failed', `the agent failed: ${message}`, { cause: err });
}
