import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ChatOpenAI } from '@langchain/openai';
import { AIMessage, HumanMessage, SystemMessage, type AIMessageChunk } from '@langchain/core/messages';
import { startLlmServer, splitIntoTokens } from './llm-server.ts';

const server = await startLlmServer();
after(() => server.close());

function client(): ChatOpenAI {
  // maxRetries 0: the client would otherwise retry a scripted 500 several times with back-off.
  return new ChatOpenAI({ model: 'stand-in', apiKey: 'none', configuration: { baseURL: server.url }, maxRetries: 0 });
}

async function streamAll(model: { stream: ChatOpenAI['stream'] }, input: Parameters<ChatOpenAI['stream']>[0], signal?: AbortSignal) {
  const chunks: AIMessageChunk[] = [];
  for await (const chunk of await model.stream(input, signal === undefined ? {} : { signal })) chunks.push(chunk);
  return chunks;
}

test('a streamed reply arrives token by token after the scripted first-token delay, with usage', async () => {
  server.setScript({ text: 'Your order 1234 shipped yesterday. 它明天到。', firstTokenMs: 50, tokensPerSecond: 200 });
  const startedAt = performance.now();
  const chunks = await streamAll(client(), 'Where is my order?');
  const elapsedMs = performance.now() - startedAt;
  const text = chunks.map((c) => c.content).join('');
  assert.equal(text, 'Your order 1234 shipped yesterday. 它明天到。');
  assert.ok(chunks.filter((c) => c.content !== '').length >= splitIntoTokens(text).length);
  assert.ok(elapsedMs >= 50);
  assert.ok(chunks.some((c) => (c.usage_metadata?.output_tokens ?? 0) > 0));
  const recorded = server.requests.at(-1);
  assert.equal(recorded?.body.stream, true);
  assert.deepEqual(recorded?.body.messages, [{ role: 'user', content: 'Where is my order?' }]);
  assert.equal(await recorded?.ended, 'completed');
});

test('each request records the whole conversation the client sent, so tests can check memory', async () => {
  server.setScript((request) => ({ text: `Answer ${request.index}.` }));
  const first = await client().invoke([new SystemMessage('Be brief.'), new HumanMessage('Hi')]);
  await client().invoke([new SystemMessage('Be brief.'), new HumanMessage('Hi'), new AIMessage(first.text), new HumanMessage('And then?')]);
  const last = server.requests.at(-1);
  assert.equal(last?.body.stream, false);
  assert.deepEqual(
    last?.body.messages?.map((m) => [m.role, m.content]),
    [['system', 'Be brief.'], ['user', 'Hi'], ['assistant', `Answer ${(last?.index ?? 0) - 1}.`], ['user', 'And then?']],
  );
});

test('tool calls stream in the OpenAI delta format and end with finish_reason tool_calls', async () => {
  const toolCall = { id: 'call_order', name: 'get_order_status', arguments: '{"order_id":"1234","verbose":true}', argumentPieces: 4 };
  server.setScript({ text: 'Let me check.', toolCalls: [toolCall] });
  const model = client().bindTools([
    {
      type: 'function',
      function: { name: 'get_order_status', description: 'Order status', parameters: { type: 'object', properties: { order_id: { type: 'string' } } } },
    },
  ]);
  const chunks = await streamAll(model, 'Status of order 1234?');
  const merged = chunks.reduce((a, b) => a.concat(b));
  assert.equal(merged.content, 'Let me check.');
  assert.deepEqual(merged.tool_calls, [{ id: 'call_order', name: 'get_order_status', args: { order_id: '1234', verbose: true }, type: 'tool_call' }]);
  assert.ok(chunks.filter((c) => (c.tool_call_chunks?.length ?? 0) > 0).length >= 4);
  assert.equal(merged.response_metadata['finish_reason'], 'tool_calls');
  assert.equal((server.requests.at(-1)?.body.tools ?? []).length, 1);

  const whole = await model.invoke('Status of order 1234?');
  assert.deepEqual(whole.tool_calls?.[0]?.args, { order_id: '1234', verbose: true });
});

test('aborting the stream closes the HTTP request, as the server sees it', async () => {
  server.setScript({ text: 'one two three four five six seven eight nine ten '.repeat(20), tokensPerSecond: 50 });
  const controller = new AbortController();
  let received = 0;
  await assert.rejects(async () => {
    for await (const chunk of await client().stream('Talk', { signal: controller.signal })) {
      if (chunk.content !== '' && ++received === 3) controller.abort();
    }
  });
  const recorded = server.requests.at(-1);
  assert.equal(await recorded?.ended, 'client-closed');
  assert.ok((recorded?.endedAt ?? 0) > (recorded?.receivedAt ?? Infinity));
});

test('a scripted HTTP 500 reaches the client as an error with that status', async () => {
  server.setScript({ httpStatus: 500 });
  await assert.rejects(client().invoke('Hi'), (err: { status?: number }) => err.status === 500);
});

test('a hung server and a stream that stops after some tokens both leave the client waiting until it aborts', async () => {
  server.setScript({ hang: true });
  await assert.rejects(client().invoke('Hi', { signal: AbortSignal.timeout(200) }));
  assert.equal(await server.requests.at(-1)?.ended, 'client-closed');

  server.setScript({ text: 'a b c d e f', hangAfterTokens: 2 });
  const controller = new AbortController();
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const chunk of await client().stream('Hi', { signal: controller.signal })) {
      if (typeof chunk.content === 'string' && chunk.content !== '') seen.push(chunk.content);
      if (seen.length === 2) setTimeout(() => controller.abort(), 100);
    }
  });
  assert.deepEqual(seen, ['a', ' b']);
  assert.equal(await server.requests.at(-1)?.ended, 'client-closed');
});

test('GET /v1/models lists the model, and close() ends hung exchanges', async () => {
  const own = await startLlmServer({ model: 'qwen-test', script: { hang: true } });
  const models = (await (await fetch(`${own.url}/models`)).json()) as { data: Array<{ id: string }> };
  assert.deepEqual(models.data.map((m) => m.id), ['qwen-test']);
  const pending = fetch(`${own.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }] }) }).catch(() => 'cut');
  while (own.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await own.close();
  assert.equal(await own.requests[0]?.ended, 'server-closed');
  assert.equal(await pending, 'cut');
});

test('like a strict server, the stand-in refuses a tool call without its result, and a result without its call', async () => {
  const own = await startLlmServer({ script: { text: 'Fine.' } });
  try {
    const post = async (messages: unknown[]) => {
      const res = await fetch(`${own.url}/chat/completions`, { method: 'POST', body: JSON.stringify({ messages }) });
      return { status: res.status, body: (await res.json()) as { error?: { message: string; type: string } } };
    };
    const call = { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'current_time', arguments: '{}' } }] };
    const dangling = await post([{ role: 'user', content: 'Time?' }, call, { role: 'user', content: 'Never mind.' }]);
    assert.equal(dangling.status, 400);
    assert.equal(dangling.body.error?.type, 'invalid_request_error');
    assert.match(dangling.body.error?.message ?? '', /followed by tool messages.*call_1/);
    assert.equal((await post([{ role: 'user', content: 'Time?' }, call])).status, 400);
    const orphan = await post([{ role: 'user', content: 'Time?' }, { role: 'tool', tool_call_id: 'call_9', content: 'noon' }]);
    assert.equal(orphan.status, 400);
    assert.match(orphan.body.error?.message ?? '', /role 'tool' must be a response/);
    const answered = await post([{ role: 'user', content: 'Time?' }, call, { role: 'tool', tool_call_id: 'call_1', content: 'noon' }, { role: 'user', content: 'Thanks' }]);
    assert.equal(answered.status, 200);
  } finally {
    await own.close();
  }
});
