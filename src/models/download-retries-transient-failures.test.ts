import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { downloadUrl } from './catalog.ts';
import { DownloadError, downloadFile, type DownloadSettings } from './download.ts';
import { fixtureBytes, fixtureFile, startModelServer, type ModelServer } from '../../test/support/model-server.ts';

const bytes = fixtureBytes(200 * 1024);
const file = fixtureFile('model.bin', bytes);
let server: ModelServer;

before(async () => {
  server = await startModelServer(new Map([['model.bin', bytes]]));
});
after(() => server.close());

async function run(plan: ModelServer['plan'], settings: Partial<DownloadSettings> = {}) {
  server.requests.length = 0;
  server.plan = plan;
  const dir = await mkdtemp(join(tmpdir(), 's2s-models-'));
  const dest = join(dir, file.file);
  const warnings: string[] = [];
  const result = await downloadFile({
    url: downloadUrl(file, server.mirror),
    dest,
    file,
    signal: AbortSignal.timeout(20_000),
    settings: { retries: 3, minRetryDelayMs: 5, maxRetryDelayMs: 20, ...settings },
    log: { info: () => {}, warn: (_fields, msg) => warnings.push(msg) },
  }).then(() => undefined, (err: unknown) => err);
  return { dir, dest, error: result, warnings };
}

test('500 twice then success: retried with backoff and installed', async () => {
  const { dir, dest, error, warnings } = await run((n) => (n <= 2 ? { status: 500 } : {}));
  assert.equal(error, undefined);
  assert.equal(server.requests.length, 3);
  assert.equal(warnings.length, 2, 'each failed attempt is logged');
  assert.deepEqual(await readFile(dest), bytes);
  await rm(dir, { recursive: true });
});

test('429 and 408 are retried too', async () => {
  const { dir, error } = await run((n) => (n === 1 ? { status: 429 } : n === 2 ? { status: 408 } : {}));
  assert.equal(error, undefined);
  assert.equal(server.requests.length, 3);
  await rm(dir, { recursive: true });
});

test('404 is final: one request, an error naming the URL and status, nothing on disk', async () => {
  const { dir, error } = await run(() => ({ status: 404 }));
  assert.ok(error instanceof DownloadError);
  assert.equal(error.reason, 'http_status');
  assert.ok(error.message.includes(`${downloadUrl(file, server.mirror)} answered HTTP 404`), error.message);
  assert.equal(server.requests.length, 1);
  assert.deepEqual(await readdir(dir), []);
  await rm(dir, { recursive: true });
});

test('a server that keeps failing is given up after the configured retries, with the last reason', async () => {
  const { dir, error } = await run(() => ({ status: 503 }), { retries: 2 });
  assert.ok(error instanceof DownloadError);
  assert.equal(error.reason, 'transfer');
  assert.match(error.message, /HTTP 503 \(gave up after 3 attempts/);
  assert.equal(server.requests.length, 3);
  await rm(dir, { recursive: true });
});

test('a stalled body hits the stall timeout and the retry resumes where the stall began', async () => {
  const { dir, dest, error } = await run((n) => (n === 1 ? { stallAfter: 64 * 1024 } : {}), { stallTimeoutMs: 300 });
  assert.equal(error, undefined);
  assert.deepEqual(server.requests.map((r) => r.range), [undefined, `bytes=${64 * 1024}-`]);
  assert.deepEqual(await readFile(dest), bytes);
  await rm(dir, { recursive: true });
});

test('a server that always stalls fails with a timeout and keeps the partial for the next run', async () => {
  const { dir, error } = await run(() => ({ stallAfter: 1024 }), { stallTimeoutMs: 200, retries: 1 });
  assert.ok(error instanceof DownloadError);
  assert.equal(error.reason, 'transfer');
  assert.match(error.message, /timeout/i);
  assert.match(error.message, /partial file is kept/);
  assert.deepEqual(await readdir(dir), [`${file.file}.partial`]);
  await rm(dir, { recursive: true });
});
