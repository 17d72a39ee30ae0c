import { RemoveMessage, SystemMessage, isAIMessage, type AIMessage, type ToolMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { StructuredToolInterface } from '@langchain/core/tools';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { ChatOpenAI } from '@langchain/openai';
import type { Config } from '../config/schema.ts';
import type { ClientTool } from '../contracts/agent.ts';
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import { knowledgeTool } from './knowledge-tool.ts';
import { fitToBudget } from './memory-budget.ts';
import { knowledgePrompt, speechSystemPrompt } from './prompt.ts';
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

type AgentTool = StructuredToolInterface;

/**
 * The built-in agent: a tool-calling loop with a speech-shaped system prompt chosen per session language, over a
 * history bounded by memory.maxTokens. Client
 * tools are offered beside the built-in ones; a call to one ends the run, and the client's output comes back as a
 * conversation item before the next run. With a knowledge base, `search_knowledge` is offered (and the prompt
 * says how to answer from it) whenever the base holds documents.
 */
export function buildDefaultGraph(config: Config, checkpointer: BaseCheckpointSaver, knowledge?: KnowledgeBase) {
  const chat = createChatModel(config.llm);
  const search = knowledge && knowledgeTool(knowledge);
  const allTools: AgentTool[] = search ? [...builtInTools, search] : [...builtInTools];
  const byName: ReadonlyMap<string, AgentTool> = new Map(allTools.map((t) => [t.name, t]));
  const callModel = async (state: typeof MessagesAnnotation.State, runConfig: RunnableConfig) => {
    const { lang = 'en', instructions, clientTools = [] } = (runConfig.configurable ?? {}) as TurnConfigurable;
    const searchable = knowledge !== undefined && (await knowledge.hasDocuments());
    const prompt = [speechSystemPrompt(lang, config.agent.systemPrompt), searchable ? knowledgePrompt(lang) : '', instructions ?? '']
      .filter((part) => part !== '')
      .join('\n\n');
    const offered = searchable ? allTools : builtInTools;
    const model = chat.bindTools([...offered, ...clientTools.map(asFunctionTool)]);
    // Memory stays within its budget: the oldest exchanges leave the request and the stored conversation together.
    const { kept, dropped } = fitToBudget(state.messages, config.memory.maxTokens);
    const response = await model.invoke([new SystemMessage(prompt), ...kept], runConfig);
    return { messages: [...dropped.flatMap((m) => (m.id ? [new RemoveMessage({ id: m.id })] : [])), response] };
  };
  // Runs only the built-in calls: the client's are answered by the client. Invoked with the whole call, a tool
  // answers with its ToolMessage, artifact included.
  const runBuiltIns = async (state: typeof MessagesAnnotation.State, runConfig: RunnableConfig) => {
    const last = state.messages.at(-1) as AIMessage;
    const messages: ToolMessage[] = [];
    for (const call of last.tool_calls ?? []) {
      const builtIn = byName.get(call.name);
      if (!builtIn) continue;
      messages.push((await builtIn.invoke({ ...call, id: call.id ?? '', type: 'tool_call' }, runConfig)) as ToolMessage);
    }
    return { messages };
  };
  return new StateGraph(MessagesAnnotation)
    .addNode(MODEL_NODE, callModel)
    .addNode(TOOLS_NODE, runBuiltIns)
    .addEdge(START, MODEL_NODE)
    .addConditionalEdges(MODEL_NODE, (state) => (builtInCalls(state.messages.at(-1), byName) > 0 ? TOOLS_NODE : END), [TOOLS_NODE, END])
    .addConditionalEdges(TOOLS_NODE, (state) => (clientCallsPending(state.messages, byName) ? END : MODEL_NODE), [MODEL_NODE, END])
    .compile({ checkpointer });
}

function asFunctionTool(tool: ClientTool) {
  return {
    type: 'function' as const,
    function: { name: tool.name, description: tool.description ?? '', parameters: tool.parameters ?? { type: 'object', properties: {} } },
  };
}

function builtInCalls(message: unknown, builtIns: ReadonlyMap<string, AgentTool>): number {
  if (!message || !isAIMessage(message as AIMessage)) return 0;
  return ((message as AIMessage).tool_calls ?? []).filter((c) => builtIns.has(c.name)).length;
}

/** Whether the last model message called a client tool (its built-in calls have just been answered). */
function clientCallsPending(messages: readonly unknown[], builtIns: ReadonlyMap<string, AgentTool>): boolean {
  const lastAi = [...messages].reverse().find((m) => isAIMessage(m as AIMessage)) as AIMessage | undefined;
  return (lastAi?.tool_calls ?? []).some((c) => !builtIns.has(c.name));
}
