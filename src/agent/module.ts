import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { BaseCheckpointSaver } from '@langchain/langgraph';

/** The part of a compiled LangGraph graph the gateway uses. */
export interface AgentGraph {
  stream(input: unknown, options: Record<string, unknown>): Promise<AsyncIterable<unknown>>;
  getState(config: Record<string, unknown>): Promise<{ values: unknown; next?: readonly string[] }>;
  updateState(config: Record<string, unknown>, values: unknown, asNode?: string): Promise<unknown>;
  nodes?: Record<string, unknown>;
  checkpointer?: unknown;
}

/**
 * Loads a user's agent: a module exporting a compiled graph as `default` or `graph`, whose state has a
 * `messages` channel (MessagesAnnotation). A graph compiled without a checkpointer gets the gateway's, so
 * conversation memory works the same as with the built-in agent.
 */
export async function loadAgentModule(specifier: string, saver: BaseCheckpointSaver): Promise<AgentGraph> {
  const url = specifier.startsWith('.') || specifier.startsWith('/') ? pathToFileURL(resolve(specifier)).href : specifier;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`cannot load the agent module ${specifier} (S2S_AGENT_MODULE): ${(err as Error).message}`, { cause: err });
  }
  const graph = (mod.default ?? mod.graph) as AgentGraph | undefined;
  if (!graph || typeof graph.stream !== 'function' || typeof graph.getState !== 'function') {
    throw new Error(`the agent module ${specifier} (S2S_AGENT_MODULE) must export a compiled LangGraph graph as "default" or "graph"`);
  }
  if (!graph.checkpointer) graph.checkpointer = saver;
  return graph;
}
