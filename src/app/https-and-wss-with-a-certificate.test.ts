import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent, fetch } from 'undici';
import WebSocket from 'ws';
import { configSchema } from '../config/schema.ts';
import { startTestGateway, type TestGateway } from '../../test/support/gateway.ts';

/** A self-signed certificate for 127.0.0.1, made the way the README tells a home lab to. */
function selfSigned(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 's2s-tls-'));
  const cert = join(dir, 'gateway.crt');
  const key = join(dir, 'gateway.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-keyout', key, '-out', cert, '-subj', '/CN=s2s-test', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert, key };
}

describe('HTTPS and WSS with a configured certificate', () => {
  const files = selfSigned();
  const ca = readFileSync(files.cert);
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({ server: { tlsCert: files.cert, tlsKey: files.key } });
  });
  after(() => gateway.close());

  test('the page and the API answer over HTTPS', async () => {
    assert.match(gateway.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const dispatcher = new Agent({ connect: { ca } });
    const page = await fetch(`${gateway.url}/`, { dispatcher });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>/);
    assert.equal((await fetch(`${gateway.url}/health`, { dispatcher })).status, 200);
    await dispatcher.close();
  });

  test('protocol v1 runs over WSS', async () => {
    assert.match(gateway.wsUrl, /^wss:/);
    const ws = new WebSocket(gateway.wsUrl, { ca });
    await once(ws, 'open');
    ws.send(JSON.stringify({ type: 'session_start' }));
    const [data] = (await once(ws, 'message')) as [Buffer];
    assert.equal(JSON.parse(data.toString()).type, 'session_started');
    ws.close();
    await once(ws, 'close');
  });

  test('a certificate without its key (or the reverse) is refused at start-up, naming both variables', () => {
    const result = configSchema.safeParse({ server: { tlsCert: files.cert } });
    assert.equal(result.success, false);
    assert.match(result.error?.issues[0]?.message ?? '', /S2S_TLS_CERT.*S2S_TLS_KEY/);
  });
});
