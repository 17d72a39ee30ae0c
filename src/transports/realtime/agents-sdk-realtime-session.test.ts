import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OpenAIRealtimeWebSocket, RealtimeAgent, RealtimeSession, tool, type TransportEvent } from '@openai/agents-realtime';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { useGatewayWithLlm } from '../../../test/support/gateway.ts';
import { startTlsFront, type TlsFront } from '../../../test/support/tls-front.ts';

describe('an @openai/agents-realtime RealtimeSession in Node, over its WebSocket transport', () => {
  const env = useGatewayWithLlm((request) =>
    request.body.messages?.some((m) => m.role === 'tool')
      ? { text: 'Order 42 ships on Monday.' }
      : { toolCalls: [{ id: 'call_sdk', name: 'lookup_order', arguments: '{"order_id":"42"}' }] },
  );
  let front: TlsFront;
  before(async () => {
    front = await startTlsFront(env.gateway.url);
  });
  after(() => front?.close());

  test('a typed message, a tool the SDK runs itself, and the spoken answer', async () => {
    const lookups: string[] = [];
    const agent = new RealtimeAgent({
      name: 'Orders',
      instructions: 'You help with orders.',
      tools: [
        tool({
          name: 'lookup_order',
          description: 'Look up an order',
          parameters: z.object({ order_id: z.string() }),
          execute: async ({ order_id }) => {
            lookups.push(order_id);
            return { ships: 'Monday' };
          },
        }),
      ],
    });
    const url = `${front.origin.replace('https', 'wss')}/v1/realtime?model=gpt-realtime`;
    const transport = new OpenAIRealtimeWebSocket({
      url,
      // The SDK's default socket cannot be told to trust the test's certificate; its own hook can.
      createWebSocket: async ({ url: target, apiKey }) =>
        new WebSocket(target, { headers: { Authorization: `Bearer ${apiKey}` }, ca: front.ca }),
    });
    const session = new RealtimeSession(agent, { transport, model: 'gpt-realtime' });
    const events: TransportEvent[] = [];
    const errors: unknown[] = [];
    session.on('transport_event', (event) => events.push(event));
    session.on('error', (error) => errors.push(error));
    let audioBytes = 0;
    session.on('audio', (event) => (audioBytes += event.data.byteLength));
    const answered = new Promise<void>((resolve) =>
      session.on('transport_event', (event) => {
        const done = event as { type: string; response?: { status?: string; output?: { type: string }[] } };
        if (done.type === 'response.done' && done.response?.output?.some((o) => o.type === 'message')) resolve();
      }),
    );

    await session.connect({ apiKey: 'test-key', url });
    session.sendMessage('Where is order 42?');
    await answered;
    session.close();

    assert.deepEqual(errors, []);
    assert.deepEqual(lookups, ['42'], 'the SDK ran the client tool the gateway\'s model called');
    assert.ok(audioBytes > 0, 'the answer arrived as audio');
    const transcripts = events.filter((e) => e.type === 'response.output_audio_transcript.done') as { transcript?: string }[];
    assert.equal(transcripts.at(-1)?.transcript, 'Order 42 ships on Monday.');
    const offered = (env.llm.requests[0]?.body.tools ?? []) as { function: { name: string } }[];
    assert.ok(offered.some((t) => t.function.name === 'lookup_order'));
    assert.match(String(env.llm.requests[0]?.body.messages?.[0]?.content), /You help with orders\./);
    const output = env.llm.requests.at(-1)?.body.messages?.find((m) => m.role === 'tool');
    assert.equal(output?.tool_call_id, 'call_sdk');
  });
});
