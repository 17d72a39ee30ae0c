/**
 * An OpenAI-compatible `/v1/embeddings` server for tests and benchmarks, standing in for the embedding model server
 * only because no embedding weights exist on the build machines. It validates requests as the OpenAI API does and
 * answers with hashed bag-of-words vectors: texts sharing words (or, in Chinese, character pairs) are near, so
 * retrieval over them means something, and the same text always gets the same vector.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { closeServerNow, readBody, sendJson } from './http.ts';

export const STAND_IN_DIMENSIONS = 1024;

const requestSchema = z.strictObject({
  model: z.string().min(1),
  input: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(2048)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().optional(),
});

export interface EmbeddingsServerBehaviour {
  /** Wait this long before answering. */
  delayMs?: number;
  /** Answer with this HTTP status instead. */
  httpStatus?: number;
  /** Accept the request and never answer. */
  hang?: boolean;
}

export interface EmbeddingsServer {
  /** Base URL including `/v1`. */
  url: string;
  /** The inputs of each request, in order. */
  requests: string[][];
  setBehaviour(behaviour: EmbeddingsServerBehaviour): void;
  close(): Promise<void>;
}

const STOP_WORDS = new Set('a an and are as at be by do does for from how i in is it me my of on or our the to what when where which who why with you your'.split(' '));
const HAN = /\p{sc=Han}/u;

/** Lower-cased words without stop words; Chinese runs as overlapping character pairs (and single characters). */
export function tokens(text: string): string[] {
  const out: string[] = [];
  for (const run of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const chars = [...run];
    if (!chars.some((c) => HAN.test(c))) {
      if (!STOP_WORDS.has(run)) out.push(run);
      continue;
    }
    chars.forEach((c, i) => {
      out.push(c);
      if (i + 1 < chars.length) out.push(c + chars[i + 1]);
    });
  }
  return out;
}

/** The hashed bag of words of `text`, unit length (all zeros for a text of stop words only). */
export function standInVector(text: string, dimensions = STAND_IN_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const token of tokens(text)) {
    const hash = createHash('sha256').update(token).digest();
    const slot = hash.readUInt32LE(0) % dimensions;
    vector[slot] = (vector[slot] ?? 0) + ((hash[4] as number) & 1 ? 1 : -1);
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((v) => v / norm);
}

export async function startEmbeddingsServer(initial: EmbeddingsServerBehaviour = {}): Promise<EmbeddingsServer> {
  let behaviour = initial;
  const requests: string[][] = [];
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
    if (req.method !== 'POST' || path !== '/v1/embeddings') {
      sendJson(res, 404, errorBody(`no route ${req.method ?? ''} ${path}`));
      return;
    }
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) {
      sendJson(res, 415, errorBody('content-type must be application/json'));
      return;
    }
    let parsed;
    try {
      parsed = requestSchema.safeParse(JSON.parse(await readBody(req)));
    } catch {
      sendJson(res, 400, errorBody('request body is not JSON'));
      return;
    }
    if (!parsed.success) {
      sendJson(res, 400, errorBody(`invalid request: ${parsed.error.message}`));
      return;
    }
    const input = typeof parsed.data.input === 'string' ? [parsed.data.input] : parsed.data.input;
    requests.push(input);
    const current = behaviour;
    if (current.hang) return;
    if (current.delayMs) await sleep(current.delayMs);
    if (current.httpStatus !== undefined) {
      sendJson(res, current.httpStatus, errorBody('scripted failure'));
      return;
    }
    const data = input.map((text, index) => ({ object: 'embedding', index, embedding: standInVector(text, parsed.data.dimensions) }));
    const promptTokens = input.reduce((n, text) => n + tokens(text).length, 0);
    sendJson(res, 200, { object: 'list', data, model: parsed.data.model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    setBehaviour(next) {
      behaviour = next;
    },
    close: () => closeServerNow(server),
  };
}

function errorBody(message: string) {
  return { error: { message, type: 'invalid_request_error', param: null, code: null } };
}
