import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { downloadUrl } from './catalog.ts';
import { downloadFile, partialPath, type ProgressEvent } from './download.ts';
import { fixtureBytes, fixtureFile, startModelServer, type ModelServer } from '../../test/support/model-server.ts';

const bytes = fixtureBytes(300 * 1024);
const file = fixtureFile('fixture.bin', bytes);
const fast = { retries: 3, minRetryDelayMs: 5, maxRetryDelayMs: 20, stallTimeoutMs: 5_000, connectTimeoutMs: 5_000 };
let server: ModelServer;

before(async () => {
  server = await startModelServer(new Map([['fixture.bin', bytes]]));
});
after(() => server.close());

async function freshDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 's2s-models-'));
}

function reset(plan: ModelServer['plan']): void {
  server.requests.length = 0;
  server.plan = plan;
}

/** Ends the server's connection once the client has written `bytes` to disk: a drop at a known point. */
function dropAt(bytes: number): (e: ProgressEvent) => void {
  let dropped = false;
  return (e) => {
    if (!dropped && e.type === 'bytes' && e.receivedBytes === bytes) {
      dropped = true;
      server.dropConnections();
    }
  };
}

test('a connection dropped mid-way is resumed with a Range request from the bytes already on disk', async () => {
  const dir = await freshDir();
  const dest = join(dir, file.file);
  reset((n) => (n === 1 ? { stallAfter: 100_000 } : {}));
  const events: ProgressEvent[] = [];
  const drop = dropAt(100_000);
  const onProgress = (e: ProgressEvent) => {
    events.push(e);
    drop(e);
  };
  await downloadFile({ url: downloadUrl(file, server.mirror), dest, file, signal: AbortSignal.timeout(20_000), settings: fast, onProgress });

  assert.deepEqual(await readFile(dest), bytes);
  assert.equal(server.requests.length, 2);
  assert.equal(server.requests[0]?.range, undefined);
  assert.equal(server.requests[1]?.range, 'bytes=100000-');
  assert.equal(server.requests[1]?.ifRange, '"v1"', 'the resume names the validator of the bytes it continues');
  assert.deepEqual(events.filter((e) => e.type === 'start').map((e) => (e.type === 'start' ? e.resumedBytes : -1)), [0, 100_000]);
  assert.deepEqual(events.at(-1), { type: 'done', file: file.file });
  assert.deepEqual(await readdir(dir), [file.file], 'no partial or other stray file is left');
  await rm(dir, { recursive: true });
});

test('a partial file left by an earlier run is resumed from its size', async () => {
  const dir = await freshDir();
  const dest = join(dir, file.file);
  await writeFile(partialPath(dest), bytes.subarray(0, 123_456));
  reset(() => ({}));
  await downloadFile({ url: downloadUrl(file, server.mirror), dest, file, signal: AbortSignal.timeout(20_000), settings: fast });

  assert.deepEqual(server.requests.map((r) => r.range), ['bytes=123456-']);
  assert.deepEqual(await readFile(dest), bytes);
  assert.deepEqual(await readdir(dir), [file.file]);
  await rm(dir, { recursive: true });
});

test('a server that ignores Range (200 instead of 206) gets a fresh download, not bytes appended twice', async () => {
  const dir = await freshDir();
  const dest = join(dir, file.file);
  reset((n) => (n === 1 ? { ranges: false, stallAfter: 80_000 } : { ranges: false }));
  await downloadFile({ url: downloadUrl(file, server.mirror), dest, file, signal: AbortSignal.timeout(20_000), settings: fast, onProgress: dropAt(80_000) });

  assert.equal(server.requests.length, 2);
  assert.equal(server.requests[1]?.range, 'bytes=80000-', 'it asked to resume');
  assert.deepEqual(await readFile(dest), bytes, 'and still wrote the file exactly once');
  await rm(dir, { recursive: true });
});

test('when the validator changed between attempts (If-Range fails) the download starts over', async () => {
  const dir = await freshDir();
  const dest = join(dir, file.file);
  reset((n) => (n === 1 ? { stallAfter: 50_000, etag: '"old"' } : { etag: '"new"' }));
  await downloadFile({ url: downloadUrl(file, server.mirror), dest, file, signal: AbortSignal.timeout(20_000), settings: fast, onProgress: dropAt(50_000) });

  assert.equal(server.requests[1]?.ifRange, '"old"');
  assert.deepEqual(await readFile(dest), bytes);
  await rm(dir, { recursive: true });
});

test('a stale partial from an earlier run that fails verification is dropped and fetched once more from the start', async () => {
  const dir = await freshDir();
  const dest = join(dir, file.file);
  await writeFile(partialPath(dest), fixtureBytes(10_000));
  reset(() => ({}));
  await downloadFile({ url: downloadUrl(file, server.mirror), dest, file, signal: AbortSignal.timeout(20_000), settings: fast });

  assert.deepEqual(server.requests.map((r) => r.range), ['bytes=10000-', undefined]);
  assert.deepEqual(await readFile(dest), bytes);
  await rm(dir, { recursive: true });
});

test('aborting keeps the partial for a later resume and never creates the final file', async () => {
  const dir = await freshDir();
  const dest = join(dir, file.file);
  reset(() => ({ stallAfter: 60_000 }));
  const controller = new AbortController();
  const download = downloadFile({
    url: downloadUrl(file, server.mirror),
    dest,
    file,
    signal: controller.signal,
    settings: fast,
    onProgress: (e) => {
      if (e.type === 'bytes' && e.receivedBytes >= 60_000) controller.abort(new Error('stop'));
    },
  });
  await assert.rejects(download, /stop/);
  assert.deepEqual(await readdir(dir), [`${file.file}.partial`]);
  await rm(dir, { recursive: true });
});
