import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../core/errors.ts';
import { expectedSamples, startXttsServer, type XttsScript } from '../../../test/support/xtts-server.ts';
import { XttsSynthesizer } from './xtts-synthesizer.ts';

const TIMEOUT_MS = 300;
const server = await startXttsServer();
const synthesizer = await XttsSynthesizer.load({ url: server.url, speaker: 'Ana Florence', timeoutMs: TIMEOUT_MS });
after(async () => {
  await synthesizer.close();
  await server.close();
});

const LONG_TEXT = 'This answer is long enough to stream for a good while before it ends.';

function lastStreamRequest() {
  const request = server.requests.findLast((r) => r.path === '/tts_stream');
  assert.ok(request);
  return request;
}

function ttsFailed(...fragments: string[]) {
  return (err: unknown) => {
    assert.ok(err instanceof GatewayError, String(err));
    assert.equal(err.code, 'tts_failed');
    for (const fragment of fragments) assert.ok(err.message.includes(fragment), `"${err.message}" lacks "${fragment}"`);
    return true;
  };
}

async function drain(script: XttsScript, signal = new AbortController().signal): Promise<number> {
  server.setScript(script);
  let chunks = 0;
  for await (const _ of synthesizer.synthesize(LONG_TEXT, { signal })) chunks++;
  return chunks;
}

test('abort mid-stream closes the request at once, without a throw, and nothing is yielded after', async () => {
  server.setScript({ chunkBytes: 960, chunkDelayMs: 20 });
  const controller = new AbortController();
  const chunks = synthesizer.synthesize(LONG_TEXT, { signal: controller.signal })[Symbol.asyncIterator]();
  assert.equal((await chunks.next()).done, false);
  controller.abort();
  // Without pulling again: the abort alone must hang up on the server.
  assert.equal(await lastStreamRequest().ended, 'client-closed');
  assert.deepEqual(await chunks.next(), { done: true, value: undefined });
});

test('a consumer that stops iterating early closes the request', async () => {
  server.setScript({ chunkBytes: 960, chunkDelayMs: 20 });
  for await (const _ of synthesizer.synthesize(LONG_TEXT, { signal: new AbortController().signal })) break;
  assert.equal(await lastStreamRequest().ended, 'client-closed');
});

test('an HTTP 500 fails the phrase with tts_failed giving the status and the server detail', async () => {
  await assert.rejects(drain({ httpStatus: 500 }), ttsFailed('HTTP 500', 'scripted failure'));
});

test('a server that never answers fails the phrase with tts_failed after timeoutMs, and the request is closed', async () => {
  await assert.rejects(drain({ hang: true }), ttsFailed(`no audio within ${TIMEOUT_MS} ms`));
  assert.equal(await lastStreamRequest().ended, 'client-closed');
});

test('a stream that stalls mid-phrase fails with tts_failed after timeoutMs', async () => {
  await assert.rejects(drain({ chunkBytes: 960, hangAfterChunks: 2 }), ttsFailed(`stalled for ${TIMEOUT_MS} ms`));
  assert.equal(await lastStreamRequest().ended, 'client-closed');
});

test('a slow consumer does not count as a stalled server', async () => {
  server.setScript({ chunkBytes: 960, chunkDelayMs: 20 });
  const chunks: Int16Array[] = [];
  for await (const chunk of synthesizer.synthesize('Short.', { signal: new AbortController().signal })) {
    chunks.push(chunk);
    await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS * 1.5));
  }
  assert.ok(chunks.length > 1);
  assert.equal(chunks.reduce((n, c) => n + c.length, 0), expectedSamples('Short.').length);
});

test('close() ends phrases in flight with tts_failed, closes their requests and refuses new ones', async () => {
  const own = await XttsSynthesizer.load({ url: server.url, speaker: 'Ana Florence', timeoutMs: 60_000 });
  server.setScript({ hang: true });
  const received = server.nextRequest('/tts_stream');
  const phrase = (async () => {
    for await (const _ of own.synthesize(LONG_TEXT, { signal: new AbortController().signal }));
  })();
  const request = await received;
  const failed = assert.rejects(phrase, ttsFailed('closed'));
  await own.close();
  await failed;
  assert.equal(await request.ended, 'client-closed');
  await assert.rejects(drainWith(own), ttsFailed('closed'));
});

async function drainWith(closed: XttsSynthesizer): Promise<void> {
  for await (const _ of closed.synthesize('Hello.', { signal: new AbortController().signal }));
}
