/**
 * An OpenAI-compatible chat completions server for tests and benchmarks. It stands in for the LLM server only
 * because no LLM weights exist on the build machines; it speaks the real wire format (SSE chunks,
 * `delta.tool_calls`, `[DONE]`) and records what clients send and when they hang up.
 */
import { closeServerNow, readBody, sendJson } from './http.ts';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ScriptedToolCall {
  name: string;
  /** The arguments as the JSON text the model "writes"; streamed in `argumentPieces` pieces. */
  arguments: string;
  id?: string;
  argumentPieces?: number;
}

/** What the stand-in answers to one request. */
export interface LlmScript {
  /** The reply; streamed as word-sized tokens (one per CJK character) unless `tokens` is given. */
  text?: string;
  tokens?: string[];
  /** Streamed after the text, then the response ends with finish_reason `tool_calls`. */
  toolCalls?: ScriptedToolCall[];
  /** The finish_reason to end with instead (`length`: the answer hit max_tokens). */
  finishReason?: string;
  /** Delay before the first token (after the response headers). */
  firstTokenMs?: number;
  /** Pace of the following tokens; unset means as fast as the socket takes them. */
  tokensPerSecond?: number;
  /** Answer with this HTTP status and an OpenAI-style error body instead. */
  httpStatus?: number;
  /** Accept the request and never answer. */
  hang?: boolean;
  /** Send this many tokens, then nothing more while keeping the connection open. */
  hangAfterTokens?: number;
}

export interface ChatRequestBody {
  model?: string;
  messages?: Array<{ role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string }>;
  stream?: boolean;
  tools?: unknown[];
  [key: string]: unknown;
}

/** Times are milliseconds on the `performance.now()` clock of this process. */
export interface RecordedRequest {
  index: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: ChatRequestBody;
  receivedAt: number;
  /** How the exchange ended: the response was sent in full, the client hung up first, or `close()` cut it. */
  outcome?: 'completed' | 'client-closed' | 'server-closed';
  endedAt?: number;
  /** Resolves with `outcome` once the exchange is over. */
  ended: Promise<'completed' | 'client-closed' | 'server-closed'>;
}

export type ScriptSource = LlmScript | ((request: RecordedRequest) => LlmScript | Promise<LlmScript>);

export interface LlmServer {
  /** Base URL including `/v1`, as OpenAI clients take it. */
  url: string;
  requests: RecordedRequest[];
  setScript(script: ScriptSource): void;
  close(): Promise<void>;
}

export interface LlmServerOptions {
  script?: ScriptSource;
  /** The model id reported by /v1/models and in the chunks. */
  model?: string;
}

const CJK_OR_WORD = /\s*(?:[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]|[^\s\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}]+)|\s+/gu;

/** Splits text the way an LLM streams it: words with their leading space, CJK characters one by one. */
export function splitIntoTokens(text: string): string[] {
  return text.match(CJK_OR_WORD) ?? [];
}

export async function startLlmServer(options: LlmServerOptions = {}): Promise<LlmServer> {
  const model = options.model ?? 'stand-in';
  let script: ScriptSource = options.script ?? { text: 'Hello.' };
  let closing = false;
  const requests: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
    if (req.method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, { object: 'list', data: [{ id: model, object: 'model', created: 0, owned_by: 'test' }] });
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      sendJson(res, 404, errorBody(`no route ${req.method ?? ''} ${path}`, 'not_found'));
      return;
    }
    let body: ChatRequestBody;
    try {
      body = JSON.parse(await readBody(req)) as ChatRequestBody;
    } catch {
      sendJson(res, 400, errorBody('request body is not JSON', 'invalid_request_error'));
      return;
    }
    const recorded = record(req, res, path, body);
    const invalid = messageOrderError(body);
    if (invalid) {
      // As OpenAI and vLLM do: the request is refused before any model work.
      sendJson(res, 400, { error: { message: invalid, type: 'invalid_request_error', param: 'messages', code: null } });
      return;
    }
    const current = typeof script === 'function' ? await script(recorded) : script;
    // Ends every pending delay once the client hangs up or the server closes.
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    try {
      await respond(res, body, current, model, gone.signal);
    } catch (err) {
      if (!gone.signal.aborted) throw err;
    }
  }

  function record(req: IncomingMessage, res: ServerResponse, path: string, body: ChatRequestBody): RecordedRequest {
    const { promise, resolve } = Promise.withResolvers<'completed' | 'client-closed' | 'server-closed'>();
    const recorded: RecordedRequest = {
      index: requests.length,
      method: req.method ?? '',
      path,
      headers: req.headers,
      body,
      receivedAt: performance.now(),
      ended: promise,
    };
    res.on('close', () => {
      recorded.outcome = res.writableFinished ? 'completed' : closing ? 'server-closed' : 'client-closed';
      recorded.endedAt = performance.now();
      resolve(recorded.outcome);
    });
    requests.push(recorded);
    return recorded;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    setScript(next) {
      script = next;
    },
    async close() {
      closing = true;
      await closeServerNow(server);
    },
  };
}

async function respond(res: ServerResponse, body: ChatRequestBody, script: LlmScript, model: string, signal: AbortSignal) {
  if (script.hang === true) return;
  if (script.httpStatus !== undefined) {
    sendJson(res, script.httpStatus, errorBody('scripted failure', 'server_error'));
    return;
  }
  const tokens = script.tokens ?? splitIntoTokens(script.text ?? '');
  const toolCalls = script.toolCalls ?? [];
  const finishReason = script.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
  const gapMs = script.tokensPerSecond === undefined ? 0 : 1000 / script.tokensPerSecond;
  const id = `chatcmpl-${Math.random().toString(36).slice(2)}`;
  const created = Math.floor(Date.now() / 1000);
  const usage = { prompt_tokens: countPromptWords(body), completion_tokens: tokens.length, total_tokens: 0 };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;

  if (body.stream !== true) {
    await sleep((script.firstTokenMs ?? 0) + gapMs * Math.max(0, tokens.length - 1), undefined, { signal });
    const message = {
      role: 'assistant',
      content: tokens.length > 0 || toolCalls.length === 0 ? tokens.join('') : null,
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls.map((call, i) => ({ id: callId(call, i), type: 'function', function: { name: call.name, arguments: call.arguments } })) } : {}),
    };
    sendJson(res, 200, { id, object: 'chat.completion', created, model, choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }], usage });
    return;
  }

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;

  await sleep(script.firstTokenMs ?? 0, undefined, { signal });
  res.write(chunk({ role: 'assistant', content: '' }));
  for (const [i, token] of tokens.entries()) {
    if (i === script.hangAfterTokens) return;
    if (i > 0 && gapMs > 0) await sleep(gapMs, undefined, { signal });
    res.write(chunk({ content: token }));
  }
  if (script.hangAfterTokens !== undefined && script.hangAfterTokens >= tokens.length) return;
  for (const [index, call] of toolCalls.entries()) {
    res.write(chunk({ tool_calls: [{ index, id: callId(call, index), type: 'function', function: { name: call.name, arguments: '' } }] }));
    for (const piece of pieces(call.arguments, call.argumentPieces ?? 3)) {
      if (gapMs > 0) await sleep(gapMs, undefined, { signal });
      res.write(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  }
  res.write(chunk({}, finishReason));
  const streamOptions = body['stream_options'] as { include_usage?: boolean } | undefined;
  if (streamOptions?.include_usage === true) {
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
  }
  res.end('data: [DONE]\n\n');
}

/**
 * The message-order rules strict OpenAI-compatible servers enforce (OpenAI itself, vLLM): an assistant message with
 * `tool_calls` is followed at once by one `tool` message per call id, and a `tool` message answers a call of the
 * assistant message just before it. A server this strict refuses every later turn of a conversation that breaks them.
 */
export function messageOrderError(body: ChatRequestBody): string | undefined {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return "'messages' must be a non-empty array";
  let pending: Set<string> | undefined;
  for (const [i, message] of messages.entries()) {
    if (!['system', 'developer', 'user', 'assistant', 'tool'].includes(message.role)) return `messages[${i}].role '${message.role}' is not a valid role`;
    if (message.role === 'tool') {
      const id = message.tool_call_id;
      if (!id || !pending?.has(id)) {
        return `messages[${i}]: messages with role 'tool' must be a response to a preceding message with 'tool_calls' (tool_call_id ${id ?? 'missing'})`;
      }
      pending.delete(id);
      continue;
    }
    if (pending && pending.size > 0) {
      return `messages[${i - 1}]: an assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'; missing: ${[...pending].join(', ')}`;
    }
    pending = undefined;
    if (message.role === 'assistant' && Array.isArray(message.tool_calls) && message.tool_calls.length > 0) {
      const ids = (message.tool_calls as Array<{ id?: unknown }>).map((call) => (typeof call.id === 'string' ? call.id : ''));
      if (ids.some((id) => id === '')) return `messages[${i}]: every tool call needs an id`;
      pending = new Set(ids);
    }
  }
  if (pending && pending.size > 0) {
    return `messages[${messages.length - 1}]: an assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'; missing: ${[...pending].join(', ')}`;
  }
  return undefined;
}

function callId(call: ScriptedToolCall, index: number): string {
  return call.id ?? `call_${index}`;
}

function pieces(text: string, count: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, count)));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function countPromptWords(body: ChatRequestBody): number {
  return (body.messages ?? []).reduce((n, m) => n + (typeof m.content === 'string' ? splitIntoTokens(m.content).length : 0), 0);
}

function errorBody(message: string, type: string) {
  return { error: { message, type, param: null, code: null } };
}
