import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startTestGateway, type TestGateway, useGatewayWithLlm } from '../../test/support/gateway.ts';

const KEY = 'the-right-key';

describe('HTTP requests and failed authentications are rate limited per client address', () => {
  const env = useGatewayWithLlm({ text: 'Yes.' }, {
    server: { apiKeys: [KEY] },
    access: { httpRequestsPerMinute: 8, authFailuresPerMinute: 3, trustedProxies: ['10.9.9.9'] },
  });
  const get = (url: string, remoteAddress: string, key?: string) =>
    env.gateway.app.inject({ url, remoteAddress, headers: key ? { authorization: `Bearer ${key}` } : {} });

  test('past access.httpRequestsPerMinute an address gets 429 with Retry-After; another address does not', async () => {
    for (let i = 0; i < 8; i++) assert.equal((await get('/health', '10.0.0.1')).statusCode, 200, `request ${i + 1}`);
    const refused = await get('/health', '10.0.0.1');
    assert.equal(refused.statusCode, 429);
    assert.ok(Number(refused.headers['retry-after']) > 0, JSON.stringify(refused.headers));
    assert.equal((await get('/health', '10.0.0.2')).statusCode, 200);
    for (let i = 0; i < 10; i++) assert.equal((await get('/health', '127.0.0.1')).statusCode, 200, 'this machine is exempt by default');
  });

  test('behind a trusted proxy each forwarded client address has its own limit', async () => {
    const viaProxy = (client: string) => env.gateway.app.inject({ url: '/health', remoteAddress: '10.9.9.9', headers: { 'x-forwarded-for': client } });
    for (let i = 0; i < 8; i++) assert.equal((await viaProxy('10.0.3.1')).statusCode, 200);
    assert.equal((await viaProxy('10.0.3.1')).statusCode, 429);
    assert.equal((await viaProxy('10.0.3.2')).statusCode, 200);
  });

  test('after access.authFailuresPerMinute wrong keys, even the right key gets 429 with Retry-After', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await get('/v1/voices', '10.0.1.1', `guess-${i}`)).statusCode, 401);
    const blocked = await get('/v1/voices', '10.0.1.1', KEY);
    assert.equal(blocked.statusCode, 429);
    assert.equal(blocked.json<{ error: string }>().error, 'too_many_auth_failures');
    const retryAfterS = Number(blocked.headers['retry-after']);
    assert.ok(retryAfterS > 0 && retryAfterS <= 60, String(retryAfterS));
    assert.equal((await get('/v1/voices', '10.0.1.2', KEY)).statusCode, 200, 'other addresses are not held back');
  });

  test('a request without any credential is refused, but does not count as a guess', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await get('/v1/voices', '10.0.2.1')).statusCode, 401);
    assert.equal((await get('/v1/voices', '10.0.2.1', KEY)).statusCode, 200);
  });
});

describe('with Redis, replicas share the counts: a client spread over two gateways gets one budget', () => {
  const REDIS_URL = process.env.S2S_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const access = { httpRequestsPerMinute: 6, authFailuresPerMinute: 4 };
  // Counts live for a minute in the shared Redis: a fresh address for each run.
  const address = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
  const replicas: TestGateway[] = [];
  before(async () => {
    for (let i = 0; i < 2; i++) replicas.push(await startTestGateway({ server: { apiKeys: [KEY] }, access, redisUrl: REDIS_URL }));
  });
  after(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
  });
  const get = (replica: number, url: string, remoteAddress: string, key?: string) =>
    replicas[replica]!.app.inject({ url, remoteAddress, headers: key ? { authorization: `Bearer ${key}` } : {} });

  test('HTTP requests: three on each replica use up six, the next one on either is 429', async () => {
    const client = address();
    for (let i = 0; i < 6; i++) assert.equal((await get(i % 2, '/health', client)).statusCode, 200, `request ${i + 1}`);
    assert.equal((await get(0, '/health', client)).statusCode, 429);
    assert.equal((await get(1, '/health', client)).statusCode, 429);
  });

  test('wrong keys: two on each replica block the address on both, even with the right key', async () => {
    const guesser = address();
    for (let i = 0; i < 4; i++) assert.equal((await get(i % 2, '/v1/voices', guesser, `guess-${i}`)).statusCode, 401);
    for (const replica of [0, 1]) {
      const blocked = await get(replica, '/v1/voices', guesser, KEY);
      assert.equal(blocked.statusCode, 429, `replica ${replica}`);
      assert.equal(blocked.json<{ error: string }>().error, 'too_many_auth_failures');
    }
  });
});
