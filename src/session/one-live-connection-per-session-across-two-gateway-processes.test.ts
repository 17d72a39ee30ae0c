import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { spawnGateway, type GatewayProcess } from '../../test/support/gateway-process.ts';
import { startLlmServer, type LlmServer } from '../../test/support/llm-server.ts';
import { until } from '../../test/support/until.ts';
import { TestClient } from '../../test/support/ws-client.ts';
import { CLOSE_CODES } from '../transports/v1/close-codes.ts';

// The real local Redis (CI and developer machines run it); override with S2S_TEST_REDIS_URL.
const REDIS_URL = process.env.S2S_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const KEY = 'two-process-key';
const auth = { authorization: `Bearer ${KEY}` };

let llm: LlmServer;
const gateways: GatewayProcess[] = [];
const redis = new Redis(REDIS_URL);

before(async () => {
  llm = await startLlmServer({ script: { text: 'Sure.' } });
  const env = { S2S_LLM_BASE_URL: llm.url, S2S_REDIS_URL: REDIS_URL, S2S_API_KEYS: KEY, S2S_ACCESS_SESSION_LEASE_MS: '3000' };
  // One after the other: two loading at once on a busy machine only makes both slower. Each is kept as soon as it
  // runs, so `after` stops it even if the other fails to start.
  for (let i = 0; i < 2; i++) gateways.push(await spawnGateway(env));
});
after(async () => {
  await Promise.all(
    gateways.map(async ({ child, exited }) => {
      child.kill('SIGTERM');
      await exited;
    }),
  );
  await llm.close();
  redis.disconnect();
});

test('the same session_id on two gateway processes at once: the newer connection takes over, the older is closed with 4011', async () => {
  const [one, two] = gateways as [GatewayProcess, GatewayProcess];
  const first = await TestClient.connect(one.wsUrl, auth);
  const started = await first.start();
  const lease = `s2s:session-lease:${started.session_id}`;
  const holderOnOne = await redis.get(lease);
  assert.ok(holderOnOne, 'the live session holds a lease in Redis');

  const firstClosed = first.closed();
  const second = await TestClient.connect(two.wsUrl, auth);
  const resumed = await second.start({ session_id: started.session_id });
  assert.equal(resumed.resumed, true);
  assert.equal((await firstClosed).code, CLOSE_CODES.session_taken_over);
  const holderOnTwo = await redis.get(lease);
  assert.ok(holderOnTwo && holderOnTwo !== holderOnOne, 'the lease moved to the second process');

  second.send({ type: 'text_input', text: 'Are you there?' });
  await second.next('response_end');

  // Back on the first process: the same rule the other way round.
  const secondClosed = second.closed();
  const third = await TestClient.connect(one.wsUrl, auth);
  assert.equal((await third.start({ session_id: started.session_id })).resumed, true);
  assert.equal((await secondClosed).code, CLOSE_CODES.session_taken_over);

  // The lease outlives no connection: the last one leaving releases it at once, long before it would expire.
  await third.close();
  await until('lease released', async () => (await redis.exists(lease)) === 0, 2_000);
});
