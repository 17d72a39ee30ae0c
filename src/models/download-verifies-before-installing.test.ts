import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { downloadUrl } from './catalog.ts';
import { DownloadError, downloadFile } from './download.ts';
import { fixtureBytes, fixtureFile, startModelServer, type ModelServer } from '../../test/support/model-server.ts';

const bytes = fixtureBytes(256 * 1024);
const file = fixtureFile('voice.onnx', bytes);
const fast = { retries: 2, minRetryDelayMs: 5, maxRetryDelayMs: 20 };
let server: ModelServer;

before(async () => {
  server = await startModelServer(new Map([['voice.onnx', bytes]]));
});
after(() => server.close());

async function attempt(plan: ModelServer['plan'], target = file): Promise<{ dir: string; result: Promise<void> }> {
  server.requests.length = 0;
  server.plan = plan;
  const dir = await mkdtemp(join(tmpdir(), 's2s-models-'));
  const result = downloadFile({ url: downloadUrl(target, server.mirror), dest: join(dir, target.file), file: target, signal: AbortSignal.timeout(20_000), settings: fast });
  return { dir, result };
}

test('wrong content of the right size fails naming the expected and actual SHA-256, and leaves nothing behind', async () => {
  const wrong = fixtureBytes(bytes.length);
  const { dir, result } = await attempt(() => ({ body: wrong }));
  const error = await result.then(() => undefined, (err: unknown) => err);

  assert.ok(error instanceof DownloadError, String(error));
  assert.equal(error.reason, 'checksum_mismatch');
  assert.equal(error.code, 'model_not_ready');
  assert.ok(error.message.includes(`expected ${file.sha256}`), error.message);
  assert.ok(error.message.includes(`got ${createHash('sha256').update(wrong).digest('hex')}`), error.message);
  assert.ok(error.message.includes(downloadUrl(file, server.mirror)), 'names where it came from');
  assert.deepEqual(await readdir(dir), [], 'neither the final file nor the partial exists');
  await rm(dir, { recursive: true });
});

test('a body that ends early without a Content-Length is retried and resumed, not installed short', async () => {
  const { dir, result } = await attempt((n) => (n === 1 ? { endAfter: 100_000 } : {}));
  await result;
  assert.deepEqual(server.requests.map((r) => r.range), [undefined, 'bytes=100000-']);
  assert.deepEqual(await readFile(join(dir, file.file)), bytes);
  assert.deepEqual(await readdir(dir), [file.file]);
  await rm(dir, { recursive: true });
});

test('a server announcing another size fails at once with both sizes, before writing anything', async () => {
  const { dir, result } = await attempt(() => ({ body: bytes.subarray(0, 1000) }));
  await assert.rejects(result, (err: unknown) => {
    assert.ok(err instanceof DownloadError);
    assert.equal(err.reason, 'size_mismatch');
    assert.match(err.message, new RegExp(`sends 1000 bytes, the catalog expects ${bytes.length}`));
    return true;
  });
  assert.equal(server.requests.length, 1, 'a wrong file is not retried');
  assert.deepEqual(await readdir(dir), []);
  await rm(dir, { recursive: true });
});

test('a file with no published SHA-256 but a published md5 is checked with md5', async () => {
  const md5Only = fixtureFile('voice.onnx', bytes, 'md5');
  assert.equal(md5Only.sha256, null);
  const good = await attempt(() => ({}), md5Only);
  await good.result;
  assert.deepEqual(await readFile(join(good.dir, md5Only.file)), bytes);

  const bad = await attempt(() => ({ body: fixtureBytes(bytes.length) }), md5Only);
  await assert.rejects(bad.result, /md5 expected [0-9a-f]{32}, got [0-9a-f]{32}/);
  assert.deepEqual(await readdir(bad.dir), []);
  await rm(good.dir, { recursive: true });
  await rm(bad.dir, { recursive: true });
});

test('a file the catalog gives no size is as long as the server says, and installed only when its SHA-256 matches', async () => {
  const unsized = { ...file, size: null };
  const good = await attempt(() => ({}), unsized);
  await good.result;
  assert.deepEqual(await readFile(join(good.dir, file.file)), bytes);
  await rm(good.dir, { recursive: true });

  const wrong = await attempt(() => ({ body: fixtureBytes(1000) }), unsized);
  await assert.rejects(wrong.result, { reason: 'checksum_mismatch' });
  assert.deepEqual(await readdir(wrong.dir), []);
  await rm(wrong.dir, { recursive: true });

  // Without a length there is no bound on what would be read.
  const unbounded = await attempt(() => ({ endAfter: 1000 }), unsized);
  await assert.rejects(unbounded.result, (err: unknown) => {
    assert.ok(err instanceof DownloadError);
    assert.equal(err.reason, 'size_mismatch');
    assert.match(err.message, /no Content-Length and the catalog gives no size/);
    return true;
  });
  await rm(unbounded.dir, { recursive: true });
});
