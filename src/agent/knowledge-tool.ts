import { basename } from 'node:path';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import type { KnowledgeSource } from '../contracts/agent.ts';
import { GatewayError, type ErrorCode } from '../core/errors.ts';
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';

export const SEARCH_KNOWLEDGE = 'search_knowledge';

/**
 * What the tool's ToolMessage carries beside the text the model reads: for the client and traces, not the model.
 * Plain data, since the message is checkpointed with the conversation.
 */
export interface KnowledgeArtifact {
  sources: KnowledgeSource[];
  error?: { code: ErrorCode; message: string };
}

const EXCERPT_CHARS = 200;

// The model must not make up an answer when the documents hold none; these say so in its own input.
const NOTHING_FOUND = 'No passage in the documents matches. Tell the user plainly that you do not know; do not guess.';
const UNAVAILABLE = 'The documents cannot be searched right now. Tell the user you cannot look this up at the moment; do not guess.';

/**
 * `search_knowledge`: the passages of the ingested documents nearest to the model's query. The model reads the
 * passages' text under their headings, without file names or numbers it might read aloud; the sources travel in
 * the tool message's artifact. A failed or slow search is an answer too (the turn goes on), with its coded error in
 * the artifact.
 */
export function knowledgeTool(knowledge: KnowledgeBase) {
  return tool(
    async ({ query }: { query: string }, runConfig): Promise<[string, KnowledgeArtifact]> => {
      const signal = (runConfig as { signal?: AbortSignal } | undefined)?.signal ?? new AbortController().signal;
      try {
        const passages = await knowledge.search(query, signal);
        if (passages.length === 0) return [NOTHING_FOUND, { sources: [] }];
        const text = passages.map((p) => (p.heading ? `${p.heading}:\n${p.text}` : p.text)).join('\n\n---\n\n');
        const sources = passages.map((p) => ({
          title: basename(p.source),
          section: p.heading,
          score: Math.round(p.score * 1000) / 1000,
          excerpt: p.text.length > EXCERPT_CHARS ? `${p.text.slice(0, EXCERPT_CHARS)}…` : p.text,
        }));
        return [text, { sources }];
      } catch (err) {
        if (signal.aborted) throw err;
        const { code, message } = GatewayError.from(err, 'knowledge_unavailable', 'knowledge search failed');
        return [UNAVAILABLE, { sources: [], error: { code, message } }];
      }
    },
    {
      name: SEARCH_KNOWLEDGE,
      description:
        "Search the user's own documents (manuals, policies, product and company facts) for passages that answer a question. Use it whenever the answer may be in them.",
      schema: z.object({ query: z.string().min(1).describe('the question or key words to look up, in the language of the documents') }),
      responseFormat: 'content_and_artifact',
    },
  );
}
