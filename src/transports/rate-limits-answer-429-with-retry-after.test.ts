import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useGatewayWithLlm } from '../../test/support/gateway.ts';

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
