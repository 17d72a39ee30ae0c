import { AIMessage, AIMessageChunk, HumanMessage, RemoveMessage, ToolMessage, isAIMessage, type BaseMessage } from '@langchain/core/messages';
import { randomUUID } from 'node:crypto';
import { REMOVE_ALL_MESSAGES, type BaseCheckpointSaver } from '@langchain/langgraph';
import { context } from '@opentelemetry/api';
import type { Config } from '../config/schema.ts';
import { GatewayError } from '../core/errors.ts';
import type { Agent, AgentEvent, AgentTurn, ConversationItem } from '../contracts/agent.ts';
import type { Checkpointer } from './checkpointer.ts';
import { MODEL_NODE, buildDefaultGraph, type TurnConfigurable } from './graph.ts';
import { FinishReasons } from './finish-reasons.ts';
import { SEARCH_KNOWLEDGE, type KnowledgeArtifact } from './knowledge-tool.ts';
import { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import { LlmTracingHandler } from './llm-tracing.ts';
import { loadAgentModule, type AgentGraph } from './module.ts';
import { ToolTracingHandler } from './tool-tracing.ts';
import { settleToolCalls } from './tool-call-repair.ts';
import { LlmWatchdog } from './watchdog.ts';

type RunConfig = { configurable: { thread_id: string; lang?: string } };

/** Runs a compiled LangGraph graph (built-in or the user's) as the gateway's Agent. */
export class LangGraphAgent implements Agent {
  readonly #graph: AgentGraph;
  readonly #llm: Config['llm'];
  readonly #checkpointer: Checkpointer;
  readonly #knowledge: KnowledgeBase | undefined;

  private constructor(graph: AgentGraph, llm: Config['llm'], checkpointer: Checkpointer, knowledge?: KnowledgeBase) {
    this.#graph = graph;
    this.#llm = llm;
    this.#checkpointer = checkpointer;
    this.#knowledge = knowledge;
  }

  /** `checkpointer`: conversation memory, owned by the caller (it outlives the agent and reports to `/ready`). */
  static async create(config: Config, checkpointer: Checkpointer): Promise<LangGraphAgent> {
    if (config.agent.module) {
      return new LangGraphAgent(await loadAgentModule(config.agent.module, checkpointer.saver), config.llm, checkpointer);
    }
    const knowledge = config.knowledge.enabled ? KnowledgeBase.fromConfig(config) : undefined;
    const graph = buildDefaultGraph(config, checkpointer.saver, knowledge) as unknown as AgentGraph;
    return new LangGraphAgent(graph, config.llm, checkpointer, knowledge);
  }

  get checkpointer(): BaseCheckpointSaver {
    return this.#checkpointer.saver;
  }

  async *respond(turn: AgentTurn): AsyncIterable<AgentEvent> {
    const watchdog = new LlmWatchdog(this.#llm, turn.signal);
    let userMessage: HumanMessage | undefined;
    try {
      await this.#settleToolCalls(turn.threadId);
      const configurable: TurnConfigurable = { lang: turn.lang };
      if (turn.instructions) configurable.instructions = turn.instructions;
      if (turn.clientTools?.length) configurable.clientTools = turn.clientTools;
      const clientToolNames = new Set(turn.clientTools?.map((t) => t.name));
      const finishReasons = new FinishReasons();
      const builtInCalls = new Map<string, { name: string; args: unknown }>();
      const traceContext = turn.traceContext ?? context.active();
      const callbacks = [new LlmTracingHandler(traceContext, this.#llm.model), new ToolTracingHandler(traceContext), finishReasons];
      const run = async function* (graph: AgentGraph, threadId: string, input: unknown, extra: Record<string, unknown> = {}) {
        const options = { streamMode: ['messages', 'updates'], signal: watchdog.signal, configurable: { ...configurable, thread_id: threadId }, callbacks, ...extra };
        for await (const [mode, chunk] of (await graph.stream(input, options)) as AsyncIterable<[string, unknown]>) {
          for (const event of mode === 'messages' ? tokenEvents(chunk) : toolCallEvents(chunk, clientToolNames, finishReasons, builtInCalls)) {
            if (event.type === 'token') watchdog.tokenArrived();
            yield event;
          }
        }
      };
      // No new message: the model answers the conversation as it stands (items or a tool output were added).
      userMessage = turn.text === undefined ? undefined : new HumanMessage({ content: turn.text, id: randomUUID() });
      const input = { messages: userMessage ? [userMessage] : [] };
      if (turn.commit) yield* this.#draft(turn.threadId, turn.commit, input, run);
      else yield* run(this.#graph, turn.threadId, input);
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
   * A speculative turn runs on a scratch copy of the thread, one graph step at a time, and stops before any step
   * that follows a tool call: the draft thinks and talks but runs no tool and leaves the thread as it was. On commit
   * the copy's state becomes the thread's (a checkpoint put, the same for every graph) and the run goes on there,
   * tools included; on drop, or whatever happens, the copy is deleted.
   */
  async *#draft(threadId: string, commit: Promise<boolean>, input: unknown, run: DraftRun): AsyncIterable<AgentEvent> {
    const saver = this.#saver();
    const scratch = `${threadId}-draft-${randomUUID()}`;
    let copied = false;
    try {
      await copyLatestCheckpoint(saver, threadId, scratch);
      for (let next: unknown = input; ; next = null) {
        yield* run(this.#graph, scratch, next, { interruptAfter: '*' });
        const state = await this.#graph.getState({ configurable: { thread_id: scratch } });
        const last = (state.values as { messages?: BaseMessage[] }).messages?.at(-1);
        const toolCallPending = last !== undefined && isAIMessage(last) && (last.tool_calls?.length ?? 0) > 0;
        if (toolCallPending || !state.next?.length) break;
      }
      if (!(await commit)) return;
      await copyLatestCheckpoint(saver, scratch, threadId);
      copied = true;
      const state = await this.#graph.getState({ configurable: { thread_id: threadId } });
      if (state.next?.length) yield* run(this.#graph, threadId, null);
    } finally {
      // Committed, then interrupted before the draft's step ended: the user's message (still only the scratch's
      // pending input) becomes the thread's, so what the user heard of the answer follows it. Messages carry ids, so
      // one already there is not added twice. An already settled commit wins the race; an undecided one is a drop.
      if (!copied && (await Promise.race([commit, Promise.resolve(false)]))) {
        await this.#graph.updateState({ configurable: { thread_id: threadId } }, input, this.#asNode()).catch(() => undefined);
      }
      await saver.deleteThread(scratch).catch(() => undefined);
    }
  }

  #saver(): BaseCheckpointSaver {
    return (this.#graph.checkpointer as BaseCheckpointSaver | undefined) ?? this.#checkpointer.saver;
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
    // An interrupt between a tool call and its result: the call is answered (cancelled) before the heard text follows.
    const messages = (await this.#settleToolCalls(threadId)) ?? (await this.#messages(config));
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
    await this.#graph.updateState(config, { messages: [update] }, this.#asNode());
  }

  async #messages(config: RunConfig): Promise<BaseMessage[]> {
    const state = await this.#graph.getState(config);
    return (state.values as { messages?: BaseMessage[] }).messages ?? [];
  }

  /** Makes the thread's memory valid for a strict LLM server (see settleToolCalls); returns the messages if it changed them. */
  async #settleToolCalls(threadId: string): Promise<BaseMessage[] | undefined> {
    const config: RunConfig = { configurable: { thread_id: threadId } };
    const repaired = settleToolCalls(await this.#messages(config));
    if (!repaired) return undefined;
    // The reducer only appends or replaces by id; a result belongs right after its call, so the list is rewritten.
    await this.#graph.updateState(config, { messages: [new RemoveMessage({ id: REMOVE_ALL_MESSAGES }), ...repaired] }, this.#asNode());
    return repaired;
  }

  #asNode(): string | undefined {
    return MODEL_NODE in (this.#graph.nodes ?? {}) ? MODEL_NODE : undefined;
  }

  async addItems(threadId: string, items: readonly ConversationItem[]): Promise<void> {
    if (items.length === 0) return;
    const messages = items.map((item) => {
      if (item.type === 'user_text') return new HumanMessage(item.text);
      if (item.type === 'assistant_text') return new AIMessage(item.text);
      return new ToolMessage({ tool_call_id: item.callId, content: item.output });
    });
    await this.#graph.updateState({ configurable: { thread_id: threadId } }, { messages }, this.#asNode());
  }

  async close(): Promise<void> {
    await this.#knowledge?.close();
    // The checkpointer is its owner's to close.
  }
}

function tokenEvents(chunk: unknown): AgentEvent[] {
  const [message] = chunk as [BaseMessage, Record<string, unknown>];
  if (!(message instanceof AIMessageChunk) || typeof message.content !== 'string' || message.content === '') return [];
  return [{ type: 'token', text: message.content }];
}

/**
 * Events from the graph's node updates: usage and client tool calls from the model's messages, and the agent's own
 * tool calls as the model makes them, so a client can say "looking that up" while a slow tool runs. A knowledge
 * search is the exception: its event waits for its ToolMessage (within knowledge.timeoutMs) to name the passages
 * it found. `builtInCalls` holds those held-back calls, by call id.
 */
function toolCallEvents(
  chunk: unknown,
  clientToolNames: ReadonlySet<string>,
  finishReasons: FinishReasons,
  builtInCalls: Map<string, { name: string; args: unknown }>,
): AgentEvent[] {
  const events: AgentEvent[] = [];
  for (const update of Object.values(chunk as Record<string, { messages?: BaseMessage[] } | undefined>)) {
    for (const message of update?.messages ?? []) {
      if (ToolMessage.isInstance(message)) {
        const call = builtInCalls.get(message.tool_call_id);
        if (!call) continue;
        builtInCalls.delete(message.tool_call_id);
        const artifact = message.artifact as Partial<KnowledgeArtifact> | undefined;
        events.push({ type: 'tool_call', name: call.name, args: call.args, ...(artifact?.sources && { sources: artifact.sources }) });
        if (artifact?.error) events.push({ type: 'tool_failed', name: call.name, error: new GatewayError(artifact.error.code, artifact.error.message) });
        continue;
      }
      if (!isAIMessage(message)) continue;
      const usage = message.usage_metadata;
      const stoppedAtLimit = finishReasons.next() === 'length';
      if (usage) events.push({ type: 'usage', inputTokens: usage.input_tokens, outputTokens: usage.output_tokens, stoppedAtLimit });
      for (const call of message.tool_calls ?? []) {
        if (clientToolNames.has(call.name)) {
          events.push({ type: 'client_tool_call', callId: call.id ?? '', name: call.name, arguments: JSON.stringify(call.args) });
        } else if (call.name === SEARCH_KNOWLEDGE) {
          builtInCalls.set(call.id ?? '', { name: call.name, args: call.args });
        } else {
          events.push({ type: 'tool_call', name: call.name, args: call.args });
        }
      }
    }
  }
  return events;
}

type DraftRun = (graph: AgentGraph, threadId: string, input: unknown, extra?: Record<string, unknown>) => AsyncIterable<AgentEvent>;

/** Makes `from`'s latest checkpoint the latest of `to` (messages, pending steps and all); nothing when `from` has none. */
async function copyLatestCheckpoint(saver: BaseCheckpointSaver, from: string, to: string): Promise<void> {
  const source = await saver.getTuple({ configurable: { thread_id: from } });
  if (!source) return;
  const target = await saver.getTuple({ configurable: { thread_id: to } });
  const config = { configurable: { thread_id: to, checkpoint_ns: '', ...(target && { checkpoint_id: target.checkpoint.id }) } };
  await saver.put(config, source.checkpoint, source.metadata ?? { source: 'update', step: -1, parents: {} }, source.checkpoint.channel_versions);
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
