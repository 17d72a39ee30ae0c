import { RemoveMessage, SystemMessage, ToolMessage, isAIMessage, type AIMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { ChatOpenAI } from '@langchain/openai';
import type { Config } from '../config/schema.ts';
import type { ClientTool } from '../contracts/agent.ts';
import { fitToBudget } from './memory-budget.ts';
import { speechSystemPrompt } from './prompt.ts';
import { builtInTools } from './tools.ts';

export const MODEL_NODE = 'agent';
const TOOLS_NODE = 'tools';

/** What a run reads from `configurable` besides the thread: the session's language, extra instructions, client tools. */
export interface TurnConfigurable {
  lang?: string;
  instructions?: string;
  clientTools?: readonly ClientTool[];
}

function createChatModel(llm: Config['llm']): ChatOpenAI {
  return new ChatOpenAI({
    model: llm.model,
    apiKey: llm.apiKey,
    configuration: { baseURL: llm.baseUrl },
    streaming: true,
    streamUsage: true,
    temperature: llm.temperature,
    maxTokens: llm.maxTokens,
    // Our own watchdog owns timeouts, and a voice turn cannot wait for the client's default retries.
    maxRetries: 0,
    timeout: llm.totalTimeoutMs,
  });
}

const builtInByName: ReadonlyMap<string, (typeof builtInTools)[number]> = new Map(builtInTools.map((t) => [t.name, t]));

/**
 * The built-in agent: a tool-calling loop with a speech-shaped system prompt chosen per session language, over a
 * history bounded by memory.maxTokens. Client
 * tools are offered beside the built-in ones; a call to one ends the run, and the client's output comes back as a
 * conversation item before the next run.
 */
export function buildDefaultGraph(config: Config, checkpointer: BaseCheckpointSaver) {
  const chat = createChatModel(config.llm);
  const withBuiltIns = chat.bindTools(builtInTools);
  const callModel = async (state: typeof MessagesAnnotation.State, runConfig: RunnableConfig) => {
    const { lang = 'en', instructions, clientTools = [] } = (runConfig.configurable ?? {}) as TurnConfigurable;
    const prompt = speechSystemPrompt(lang, config.agent.systemPrompt);
    const system = new SystemMessage(instructions ? `${prompt}\n\n${instructions}` : prompt);
    const model = clientTools.length > 0 ? chat.bindTools([...builtInTools, ...clientTools.map(asFunctionTool)]) : withBuiltIns;
    // Memory stays within its budget: the oldest exchanges leave the request and the stored conversation together.
    const { kept, dropped } = fitToBudget(state.messages, config.memory.maxTokens);
    const response = await model.invoke([system, ...kept], runConfig);
    return { messages: [...dropped.flatMap((m) => (m.id ? [new RemoveMessage({ id: m.id })] : [])), response] };
  };
  // Runs only the built-in calls: the client's are answered by the client.
  const runBuiltIns = async (state: typeof MessagesAnnotation.State, runConfig: RunnableConfig) => {
    const last = state.messages.at(-1) as AIMessage;
    const messages: ToolMessage[] = [];
    for (const call of last.tool_calls ?? []) {
      const builtIn = builtInByName.get(call.name);
      if (!builtIn) continue;
      const output: unknown = await builtIn.invoke(call.args as never, runConfig);
      messages.push(new ToolMessage({ tool_call_id: call.id ?? '', name: call.name, content: String(output) }));
    }
    return { messages };
  };
  return new StateGraph(MessagesAnnotation)
    .addNode(MODEL_NODE, callModel)
    .addNode(TOOLS_NODE, runBuiltIns)
    .addEdge(START, MODEL_NODE)
    .addConditionalEdges(MODEL_NODE, (state) => (builtInCalls(state.messages.at(-1)) > 0 ? TOOLS_NODE : END), [TOOLS_NODE, END])
    .addConditionalEdges(TOOLS_NODE, (state) => (clientCallsPending(state.messages) ? END : MODEL_NODE), [MODEL_NODE, END])
    .compile({ checkpointer });
}

function asFunctionTool(tool: ClientTool) {
  return {
    type: 'function' as const,
    function: { name: tool.name, description: tool.description ?? '', parameters: tool.parameters ?? { type: 'object', properties: {} } },
  };
}

function builtInCalls(message: unknown): number {
  if (!message || !isAIMessage(message as AIMessage)) return 0;
  return ((message as AIMessage).tool_calls ?? []).filter((c) => builtInByName.has(c.name)).length;
}

/** Whether the last model message called a client tool (its built-in calls have just been answered). */
function clientCallsPending(messages: readonly unknown[]): boolean {
  const lastAi = [...messages].reverse().find((m) => isAIMessage(m as AIMessage)) as AIMessage | undefined;
  return (lastAi?.tool_calls ?? []).some((c) => !builtInByName.has(c.name));
}
