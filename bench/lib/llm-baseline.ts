/**
 * The LLM stage as the simplest possible client sees it: a raw streaming fetch to the stand-in, with the
 * gateway's phrase chunker, timed to the first complete phrase. Measured rather than computed from the
 * stand-in's settings because its timers run late by a little on every token; what the gateway takes beyond
 * this (LangGraph, its OpenAI client, the agent's stream) is ours.
 */
import { PhraseChunker } from '../../src/stages/chunker/chunker.ts';
import { summarize, type Summary } from './stats.ts';

interface ChatChunk {
  choices?: Array<{ delta?: { content?: string } }>;
}

async function firstPhraseMs(baseUrl: string, signal: AbortSignal): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'stand-in', stream: true, messages: [{ role: 'user', content: 'Where is my order?' }] }),
    signal,
  });
  if (!response.ok || !response.body) throw new Error(`LLM stand-in answered ${response.status}`);
  const chunker = new PhraseChunker();
  const decoder = new TextDecoder();
  let pending = '';
  try {
    for await (const bytes of response.body) {
      pending += decoder.decode(bytes, { stream: true });
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
        const token = (JSON.parse(line.slice(6)) as ChatChunk).choices?.[0]?.delta?.content ?? '';
        if (token && chunker.push(token).length > 0) return performance.now() - started;
      }
    }
  } finally {
    await response.body.cancel().catch(() => undefined);
  }
  return performance.now() - started;
}

/** `requests` sequential requests; the first one warms the connection up and is left out. */
export async function measureLlmBaseline(baseUrl: string, requests: number, signal: AbortSignal): Promise<Summary> {
  const times: number[] = [];
  for (let i = 0; i <= requests; i++) {
    const ms = await firstPhraseMs(baseUrl, signal);
    if (i > 0) times.push(ms);
  }
  return summarize(times);
}
