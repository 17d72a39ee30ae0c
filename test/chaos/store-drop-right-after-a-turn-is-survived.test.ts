import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CHAOS_STORES, POSTGRES_URL, REDIS_URL, conversationOf, forgetThreads, relayTo, textTurn, untilReady } from '../support/chaos.ts';
import { startLlmServer, type LlmServer } from '../support/llm-server.ts';
import { spawnGateway, type ChildGateway } from '../support/spawn-gateway.ts';
import type { TcpRelay } from '../support/tcp-relay.ts';
import { TestClient } from '../support/ws-client.ts';

let llm: LlmServer;
let postgres: TcpRelay;
let redis: TcpRelay;
let gateway: ChildGateway;
/** Issued by the gateway at the first start; its memory is removed after the test. */
let sessionId = '';

before(async () => {
  llm = await startLlmServer({ script: { text: 'Your order ships on Monday.' } });
  postgres = await relayTo(POSTGRES_URL);
  redis = await relayTo(REDIS_URL);
  gateway = await spawnGateway({
    llm: { baseUrl: llm.url },
    postgresUrl: postgres.through(POSTGRES_URL),
    redisUrl: redis.through(REDIS_URL),
    stores: CHAOS_STORES,
  });
  await untilReady(gateway.url);
});

after(async () => {
  await gateway?.close();
  await postgres?.close();
  await redis?.close();
  await llm?.close();
  await forgetThreads([sessionId]);
});

test('every store connection reset right after a turn: the process lives on and the next turn works with its memory', { timeout: 120_000 }, async () => {
  const client = await TestClient.connect(gateway.wsUrl);
  const started = await client.start();
  sessionId = started.session_id;
  const first = await textTurn(client, 'When does my order ship?');
  assert.equal(first.ok, true);
  // The pooled connections that served the turn are idle now: each one's socket dies under it.
  postgres.drop();
  redis.drop();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.equal(gateway.exitCode(), null, `the gateway is still running: ${gateway.stderr().slice(-2_000)}`);
  await untilReady(gateway.url);

  const second = await textTurn(client, 'And when will it arrive?');
  assert.equal(second.ok, true, 'the next turn works on fresh connections');
  assert.deepEqual(conversationOf(llm, llm.requests.length - 1), [
    ['user', 'When does my order ship?'],
    ['assistant', 'Your order ships on Monday.'],
    ['user', 'And when will it arrive?'],
  ]);
  await client.close();

  // A reconnecting client still finds its session in Redis.
  const again = await TestClient.connect(gateway.wsUrl);
  const resumed = await again.start({ session_id: sessionId, resume_secret: started.resume_secret });
  assert.equal(resumed.resumed, true);
  await again.close();
});
