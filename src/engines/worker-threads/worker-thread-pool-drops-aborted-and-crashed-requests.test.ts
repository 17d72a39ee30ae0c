import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { type PoolFailure, WorkerPool } from '../../core/worker-pool.ts';
import { WorkerThread } from './worker-thread.ts';

let dir: string;
let workerUrl: URL;

/**
 * `{ echo, ms }` answers `echo` after `ms`, and first writes it to the file `done` when given; `crash` throws outside
 * any handler; `exit` ends the thread.
 */
type EchoRequest = { echo: string; ms: number; done?: string } | 'crash' | 'exit';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'worker-thread-'));
  const workerPath = join(dir, 'echo-worker.mjs');
  const serve = pathToFileURL(join(import.meta.dirname, 'serve-requests.ts')).href;
  await writeFile(
    workerPath,
    `import { writeFileSync } from 'node:fs';
import { serveRequests } from ${JSON.stringify(serve)};
serveRequests(async (request) => {
  if (request === 'crash') setImmediate(() => { throw new Error('boom'); });
  if (request === 'exit') setImmediate(() => process.exit(3));
  if (typeof request === 'string') return new Promise(() => {});
  await new Promise((resolve) => setTimeout(resolve, request.ms));
  if (request.done) writeFileSync(request.done, request.echo);
  return { result: request.echo };
});`,
  );
  workerUrl = pathToFileURL(workerPath);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

class PoolError extends Error {
  readonly failure: PoolFailure;

  constructor(failure: PoolFailure, cause?: unknown) {
    super(failure, { cause });
    this.failure = failure;
  }
}

function echoPool(): WorkerPool<EchoRequest, string> {
  const error = (failure: PoolFailure, cause?: unknown) => new PoolError(failure, cause);
  return new WorkerPool([WorkerThread.start<EchoRequest, string>({ workerUrl, error })], { maxQueued: 4, error });
}

const live = (): AbortSignal => new AbortController().signal;

test('a request aborted while its thread runs it is discarded: the next one gets its own reply', async () => {
  const pool = echoPool();
  try {
    const controller = new AbortController();
    const abandoned = pool.run({ echo: 'late', ms: 200 }, controller.signal);
    const next = pool.run({ echo: 'mine', ms: 0 }, live());
    controller.abort();
    await assert.rejects(abandoned, { name: 'AbortError' });
    assert.equal(await next, 'mine');
  } finally {
    await pool.close();
  }
});

test('a crashed thread fails only its request and is replaced', async () => {
  const pool = echoPool();
  try {
    const crashed = pool.run('crash', live());
    const after = pool.run({ echo: 'still here', ms: 0 }, live());
    await assert.rejects(crashed, (err) => {
      assert.ok(err instanceof PoolError);
      assert.equal(err.failure, 'crashed');
      assert.equal((err.cause as Error).message, 'boom');
      return true;
    });
    assert.equal(await after, 'still here');
  } finally {
    await pool.close();
  }
});

test('a thread that exits on its own is replaced for the next request', async () => {
  const pool = echoPool();
  try {
    await assert.rejects(pool.run('exit', live()), { failure: 'crashed' });
    assert.equal(await pool.run({ echo: 'again', ms: 0 }, live()), 'again');
  } finally {
    await pool.close();
  }
});

test('close fails the running request with "closed" at once, but stops its thread only once the request ended', async () => {
  // Terminating a thread inside an onnxruntime run aborts the whole process, so the thread must end its request.
  const pool = echoPool();
  const done = join(dir, 'ended');
  let closed = false;
  const running = pool.run({ echo: 'finished', ms: 300, done }, live());
  const closing = pool.close().then(() => {
    closed = true;
  });
  await assert.rejects(running, { failure: 'closed' });
  assert.equal(closed, false, 'the caller hears "closed" before the thread stops');
  await closing;
  assert.equal(await readFile(done, 'utf8'), 'finished');
});
