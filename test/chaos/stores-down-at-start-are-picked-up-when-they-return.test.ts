import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conversationOf, readiness, textTurn, untilReady, useChaosGateway } from '../support/chaos.ts';
import { until } from '../support/until.ts';
import { TestClient } from '../support/ws-client.ts';

/**
 * Postgres and Redis are unreachable when the gateway starts and stay so for many retry cycles; the gateway
 * serves /health, says why it is not ready, refuses turns with store codes, and takes both back when they return.
 * The outage lasts 8 s on the chaos clock (retries capped at 1 s: about ten cycles, more than the six the
 * gateway used to try before giving up for good); S2S_CHAOS_REAL_MINUTE=1 holds it for 70 s of real time.
 */
const OUTAGE_MS = process.env.S2S_CHAOS_REAL_MINUTE ? 70_000 : 8_000;

const chaos = useChaosGateway({ redis: true, storesDownAtStart: true });

test('stores down at start: the gateway runs, says why it is not ready, and recovers by itself when they return', { timeout: 180_000 }, async () => {
  const { llm, postgres, redis, gateway } = chaos;
  const down = await readiness(gateway.url);
  assert.equal(down.status, 503);
  assert.equal(down.body.checks.postgres?.reachable, false);
  assert.equal(down.body.checks.redis?.reachable, false);
  assert.doesNotMatch(JSON.stringify(down.body), new RegExp(`127\\.0\\.0\\.1:(${postgres.port}|${redis.port})`), '/ready names no store address');

  const client = await TestClient.connect(gateway.wsUrl);
  const started = await client.start();
  const sessionId = started.session_id;
  chaos.threads.push(sessionId);
  // Resuming needs the session's record, in the Redis that is down: the client is told so, not left waiting.
  const resuming = await TestClient.connect(gateway.wsUrl);
  resuming.send({ type: 'session_start', lang: 'en', session_id: sessionId, resume_secret: started.resume_secret });
  await until('the store error', () => resuming.messages('error').some((e) => e.code === 'session_store_unavailable'));
  await resuming.close();
  const refused = await textTurn(client, 'When does my order ship?');
  assert.equal(refused.ok, false);
  if (!refused.ok) {
    assert.equal(refused.error.code, 'memory_unavailable');
    assert.equal(refused.error.retryable, true);
    assert.doesNotMatch(refused.error.message, /127\.0\.0\.1|postgres:\/\//);
  }
  assert.equal(llm.requests.length, 0, 'no LLM request without memory');

  await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
  assert.equal(gateway.exitCode(), null);
  assert.equal((await readiness(gateway.url)).status, 503);

  await postgres.restore();
  await redis.restore();
  const up = await untilReady(gateway.url);
  assert.equal(up.body.checks.postgres?.reachable, true);
  assert.equal(up.body.checks.redis?.reachable, true);

  const first = await textTurn(client, 'When does my order ship?');
  assert.equal(first.ok, true, 'a turn works once the stores are back');
  const second = await textTurn(client, 'And when will it arrive?');
  assert.equal(second.ok, true);
  await until('the second LLM request', () => llm.requests.length >= 2);
  assert.deepEqual(conversationOf(llm, llm.requests.length - 1), [
    ['user', 'When does my order ship?'],
    ['assistant', 'Your order ships on Monday.'],
    ['user', 'And when will it arrive?'],
  ], 'memory holds the conversation, and nothing of the refused turn');
  await client.close();
});
