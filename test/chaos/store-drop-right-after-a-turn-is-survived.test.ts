import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conversationOf, textTurn, untilReady, useChaosGateway } from '../support/chaos.ts';
import { TestClient } from '../support/ws-client.ts';

const chaos = useChaosGateway({ redis: true });

test('every store connection reset right after a turn: the process lives on and the next turn works with its memory', { timeout: 120_000 }, async () => {
  const { llm, postgres, redis, gateway } = chaos;
  const client = await TestClient.connect(gateway.wsUrl);
  const started = await client.start();
  const sessionId = started.session_id;
  chaos.threads.push(sessionId);
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
