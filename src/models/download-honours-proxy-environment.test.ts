import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { downloadUrl } from './catalog.ts';
import { downloadFile } from './download.ts';
import { fixtureBytes, fixtureFile, startConnectProxy, startModelServer, type ModelServer } from '../../test/support/model-server.ts';

// Each test file runs in its own process, so setting the proxy variables here touches no other test.
const bytes = fixtureBytes(128 * 1024);
const file = fixtureFile('tiny.bin', bytes);
let server: ModelServer;
let proxy: Awaited<ReturnType<typeof startConnectProxy>>;

before(async () => {
  server = await startModelServer(new Map([['tiny.bin', bytes]]));
  proxy = await startConnectProxy();
});
after(async () => {
  await server.close();
  await proxy.close();
});
afterEach(() => {
  for (const name of ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy']) delete process.env[name];
});

async function fetchOnce(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 's2s-models-'));
  await downloadFile({ url: downloadUrl(file, server.mirror), dest: join(dir, file.file), file, signal: AbortSignal.timeout(20_000) });
  assert.deepEqual(await readFile(join(dir, file.file)), bytes);
  await rm(dir, { recursive: true });
}

test('HTTP_PROXY routes the download through the proxy', async () => {
  process.env.HTTP_PROXY = proxy.url;
  proxy.tunnels.length = 0;
  await fetchOnce();
  assert.deepEqual(proxy.tunnels, [new URL(server.mirror).host]);
});

test('NO_PROXY exempts a host from the proxy', async () => {
  process.env.HTTP_PROXY = proxy.url;
  process.env.NO_PROXY = '127.0.0.1';
  proxy.tunnels.length = 0;
  await fetchOnce();
  assert.deepEqual(proxy.tunnels, []);
});

test('HTTPS_PROXY is used for https URLs (the proxy is asked to tunnel to the upstream host)', async () => {
  process.env.HTTPS_PROXY = proxy.url;
  proxy.tunnels.length = 0;
  const dir = await mkdtemp(join(tmpdir(), 's2s-models-'));
  // No mirror: the upstream https URL, which this proxy refuses to reach (502), so only the tunnel request is seen.
  await assert.rejects(downloadFile({ url: file.url, dest: join(dir, file.file), file, signal: AbortSignal.timeout(20_000), settings: { retries: 0 } }));
  assert.deepEqual(proxy.tunnels, [`${new URL(file.url).hostname}:443`]);
  await rm(dir, { recursive: true });
});
