import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startTestGateway, useGatewayWithLlm, type TestGateway } from '../../../test/support/gateway.ts';
import { TestClient } from '../../../test/support/ws-client.ts';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function turnError(gateway: TestGateway) {
  const client = await TestClient.connect(gateway.wsUrl);
  await client.start();
  client.send({ type: 'text_input', text: 'Hello?' });
  const error = await client.next('error');
  const end = await client.next('response_end');
  // The session is still usable.
  client.send({ type: 'ping' });
  await client.next('pong');
  await client.close();
  return { error, end, client };
}

describe('when the LLM server fails, the client hears about it in time and the session lives on', () => {
  const env = useGatewayWithLlm({ text: 'Hello.' }, { llm: { firstTokenTimeoutMs: 800, idleTimeoutMs: 800 } });

  test('HTTP 500 -> llm_unavailable, recoverable', async () => {
    env.llm.setScript({ httpStatus: 500 });
    const { error, end } = await turnError(env.gateway);
    assert.equal(error.code, 'llm_unavailable');
    assert.equal(error.recoverable, true);
    assert.equal(error.turn_id, end.turn_id);
    assert.equal(end.interrupted, false);
  });

  test('a server that accepts and never answers -> llm_timeout, and the hung request is closed', async () => {
    env.llm.setScript({ hang: true });
    const before = env.llm.requests.length;
    const { error } = await turnError(env.gateway);
    assert.equal(error.code, 'llm_timeout');
    assert.equal(await env.llm.requests[before]?.ended, 'client-closed');
  });

  test('a stream that stalls after some tokens -> llm_timeout', async () => {
    env.llm.setScript({ text: 'One two three four five', hangAfterTokens: 2 });
    const { error, client } = await turnError(env.gateway);
    assert.equal(error.code, 'llm_timeout');
    assert.equal(client.messages('llm_token').length, 2);
  });

  test('after failures, a healthy answer goes through on the same gateway', async () => {
    env.llm.setScript({ text: 'Back again.' });
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start();
    client.send({ type: 'text_input', text: 'Hello?' });
    const end = await client.next('response_end');
    assert.equal(end.interrupted, false);
    assert.deepEqual(client.messages('error'), []);
    await client.close();
  });
});

describe('an LLM server that is not running', () => {
  let gateway: TestGateway;

  before(async () => {
    gateway = await startTestGateway({ llm: { baseUrl: `http://127.0.0.1:${await closedPort()}/v1` } });
  });
  after(() => gateway.close());

  test('a turn gets llm_unavailable; /ready says the LLM is unreachable', async () => {
    const { error } = await turnError(gateway);
    assert.equal(error.code, 'llm_unavailable');
    const ready = await gateway.app.inject({ method: 'GET', url: '/ready' });
    assert.equal(ready.statusCode, 503);
    assert.equal(ready.json().checks.llm.reachable, false);
  });
});
