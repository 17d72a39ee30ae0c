import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useGatewayWithLlm } from '../../test/support/gateway.ts';
import { TestClient, upgradeStatus } from '../../test/support/ws-client.ts';
import { CLIENT_TOKENS_PATH } from './client-tokens.ts';

const KEY = 'long-lived-key';

describe('POST /v1/client-tokens mints short-lived tokens a browser connects with', () => {
  const env = useGatewayWithLlm({ text: 'Hello.' }, { server: { apiKeys: [KEY] }, access: { clientTokenTtlS: 120 } });
  const mint = (authorization?: string, body?: unknown) =>
    env.gateway.app.inject({ method: 'POST', url: CLIENT_TOKENS_PATH, headers: authorization ? { authorization } : {}, ...(body !== undefined && { payload: body as object }) });

  test('an API key mints a token that lives at most access.clientTokenTtlS', async () => {
    const now = Math.floor(Date.now() / 1000);
    const full = await mint(`Bearer ${KEY}`);
    assert.equal(full.statusCode, 201);
    assert.equal(full.headers['cache-control'], 'no-store');
    const body = full.json<{ token: string; expires_at: number; ttl_s: number }>();
    assert.equal(body.ttl_s, 120);
    assert.ok(Math.abs(body.expires_at - (now + 120)) <= 2);
    assert.ok(!body.token.includes(KEY));
    assert.equal((await mint(`Bearer ${KEY}`, { ttl_s: 30 })).json<{ ttl_s: number }>().ttl_s, 30);
    assert.equal((await mint(`Bearer ${KEY}`, { ttl_s: 99_999 })).json<{ ttl_s: number }>().ttl_s, 120, 'capped by config');
    assert.equal((await mint(`Bearer ${KEY}`, { ttl_s: 'long' })).statusCode, 400);
  });

  test('no key, a wrong key or a client token cannot mint', async () => {
    const { token } = (await mint(`Bearer ${KEY}`)).json<{ token: string }>();
    assert.equal((await mint()).statusCode, 401);
    assert.equal((await mint('Bearer wrong')).statusCode, 401);
    assert.equal((await mint(`Bearer ${token}`)).statusCode, 401);
  });

  test('a page connects with the token (never the key) and its session belongs to the key', async () => {
    const { token } = (await mint(`Bearer ${KEY}`)).json<{ token: string }>();
    const page = { origin: env.gateway.url };
    assert.equal(await upgradeStatus(`${env.gateway.wsUrl}?token=${KEY}`, page), 401, 'a long-lived key in a page URL');
    const browser = await TestClient.connect(`${env.gateway.wsUrl}?token=${encodeURIComponent(token)}`, page);
    const started = await browser.start();
    await browser.close();
    // The key's holder (the page's back end) may resume it without the secret: it is the key's session.
    const backEnd = await TestClient.connect(env.gateway.wsUrl, { authorization: `Bearer ${KEY}` });
    assert.equal((await backEnd.start({ session_id: started.session_id })).resumed, true);
    await backEnd.close();
  });
});
