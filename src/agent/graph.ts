import { SystemMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { ToolNode, toolsCondition } from '@langchain/langgraph/prebuilt';
import { ChatOpenAI } from '@langchain/openai';
import type { Config } from '../config/schema.ts';
import { speechSystemPrompt } from './prompt.ts';
import { builtInTools } from './tools.ts';

export const MODEL_NODE = 'agent';

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

/** The built-in agent: a tool-calling loop with a speech-shaped system prompt chosen per session language. */
export function buildDefaultGraph(config: Config, checkpointer: BaseCheckpointSaver) {
  const model = createChatModel(config.llm).bindTools(builtInTools);
  const callModel = async (state: typeof MessagesAnnotation.State, runConfig: RunnableConfig) => {
    const lang = (runConfig.configurable?.lang as string | undefined) ?? 'en';
    const system = new SystemMessage(speechSystemPrompt(lang, config.agent.systemPrompt));
    const response = await model.invoke([system, ...state.messages], runConfig);
    return { messages: [response] };
  };
  return new StateGraph(MessagesAnnotation)
    .addNode(MODEL_NODE, callModel)
    .addNode('tools', new ToolNode(builtInTools))
    .addEdge(START, MODEL_NODE)
    .addConditionalEdges(MODEL_NODE, toolsCondition, ['tools', END])
    .addEdge('tools', MODEL_NODE)
    .compile({ checkpointer });
}
