/**
 * A sample agent for S2S_AGENT_MODULE: a LangGraph graph with a tool of its own, looking up an order.
 *
 *   S2S_AGENT_MODULE=./examples/agent-with-tool.ts npm start
 *
 * The gateway loads the compiled graph exported as `graph`, gives it its checkpointer (conversation memory per
 * session) and passes the session language as `config.configurable.lang`. It talks to the same LLM server as the
 * gateway, read from the same variables.
 */
import { SystemMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { ToolNode, toolsCondition } from '@langchain/langgraph/prebuilt';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';

// Stands in for your order system.
const ORDERS: Record<string, { status: string; arrives: string }> = {
  'A-1001': { status: 'shipped', arrives: 'Friday' },
  'A-1002': { status: 'being packed', arrives: 'next Tuesday' },
};

export const orderStatus = tool(
  async ({ orderId }: { orderId: string }) => {
    const order = ORDERS[orderId.toUpperCase()];
    return order ? `Order ${orderId} is ${order.status} and arrives ${order.arrives}.` : `There is no order ${orderId}.`;
  },
  {
    name: 'order_status',
    description: 'The status and expected arrival of an order, by its number such as "A-1001".',
    schema: z.object({ orderId: z.string().describe('the order number') }),
  },
);

const tools = [orderStatus];

const model = new ChatOpenAI({
  model: process.env.S2S_LLM_MODEL ?? 'local',
  apiKey: process.env.S2S_LLM_API_KEY ?? 'none',
  configuration: { baseURL: process.env.S2S_LLM_BASE_URL ?? 'http://127.0.0.1:8000/v1' },
  streaming: true,
}).bindTools(tools);

// The answer is spoken: short sentences, no lists or markdown.
const prompt = (lang: string) =>
  `You are the voice of a shop's order desk. Answer in the language "${lang}", in one or two short spoken sentences. Use order_status for any question about an order.`;

export const graph = new StateGraph(MessagesAnnotation)
  .addNode('model', async (state, config: RunnableConfig) => {
    const lang = String(config.configurable?.lang ?? 'en');
    return { messages: [await model.invoke([new SystemMessage(prompt(lang)), ...state.messages], config)] };
  })
  .addNode('tools', new ToolNode(tools))
  .addEdge(START, 'model')
  .addConditionalEdges('model', toolsCondition, ['tools', END])
  .addEdge('tools', 'model')
  .compile();
