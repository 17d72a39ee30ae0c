import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useGatewayWithLlm } from '../../test/support/gateway.ts';
import { upgradeStatus } from '../../test/support/ws-client.ts';
import { REALTIME_PATH } from './realtime/route.ts';
import { V1_PATH } from './v1/route.ts';

describe('WebSocket upgrades from web pages need an allowed Origin', () => {
  const env = useGatewayWithLlm({ text: 'Yes.' }, { access: { allowedOrigins: ['https://app.example.com'] } });
  const urls = () => [V1_PATH, REALTIME_PATH].map((path) => `${env.gateway.url.replace(/^http/, 'ws')}${path}`);

  test('a page on another site is refused with 403, on every upgrade route', async () => {
    for (const url of urls()) {
      assert.equal(await upgradeStatus(url, { origin: 'https://evil.example' }), 403, url);
      assert.equal(await upgradeStatus(url, { origin: 'null' }), 403, `${url} from a sandboxed page`);
      assert.equal(await upgradeStatus(url, { origin: 'https://app.example.com.evil.example' }), 403, url);
    }
  });

  test('the gateway\'s own pages, configured origins and clients that send no Origin are let in', async () => {
    const own = env.gateway.url;
    for (const url of urls()) {
      assert.equal(await upgradeStatus(url, { origin: own }), 101, `${url} from the voice page`);
      assert.equal(await upgradeStatus(url, { origin: 'https://app.example.com' }), 101, `${url} from a configured origin`);
      assert.equal(await upgradeStatus(url), 101, `${url} from a non-browser client`);
    }
  });

  test('plain HTTP requests are not subject to the WebSocket Origin rule', async () => {
    const health = await env.gateway.app.inject({ url: '/health', headers: { origin: 'https://evil.example' } });
    assert.equal(health.statusCode, 200);
  });
});
