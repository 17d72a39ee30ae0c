import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import { ToolMessage } from '@langchain/core/messages';
import type { Context } from '@opentelemetry/api';
import { GatewayError } from '../core/errors.ts';
import { KNOWLEDGE_ATTR, recordFailure, startToolSpan, type ChildSpan } from '../observability/tracing.ts';
import type { KnowledgeArtifact } from './knowledge-tool.ts';

/**
 * One span per run of the agent's own tools (GenAI `execute_tool {name}`), parented on the agent span. A knowledge
 * search adds the documents and sections it gave the model and their scores (not the query: that is the user's
 * words), and its coded error when it failed.
 */
export class ToolTracingHandler extends BaseCallbackHandler {
  name = 's2s-tool-tracing';
  readonly #parent: Context;
  readonly #runs = new Map<string, ChildSpan>();

  constructor(parent: Context) {
    super();
    this.#parent = parent;
  }

  override handleToolStart(tool: Serialized, _input: string, runId: string, _parent?: string, _tags?: string[], _meta?: Record<string, unknown>, runName?: string): void {
    const name = runName ?? (tool as { name?: string }).name ?? 'tool';
    this.#runs.set(runId, startToolSpan(this.#parent, name));
  }

  override handleToolEnd(output: unknown, runId: string): void {
    const run = this.#runs.get(runId);
    this.#runs.delete(runId);
    if (!run) return;
    const artifact = (ToolMessage.isInstance(output) ? output.artifact : undefined) as Partial<KnowledgeArtifact> | undefined;
    if (artifact?.sources) {
      run.span.setAttribute(KNOWLEDGE_ATTR.sources, artifact.sources.map((s) => (s.section ? `${s.title} > ${s.section}` : s.title)));
      run.span.setAttribute(KNOWLEDGE_ATTR.scores, artifact.sources.map((s) => s.score));
    }
    if (artifact?.error) recordFailure(run.span, new GatewayError(artifact.error.code, artifact.error.message));
    run.span.end();
  }

  override handleToolError(err: Error, runId: string): void {
    const run = this.#runs.get(runId);
    this.#runs.delete(runId);
    if (!run) return;
    recordFailure(run.span, err);
    run.span.end();
  }
}
