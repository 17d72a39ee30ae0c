import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestGateway, type TestGateway } from '../test/support/gateway.ts';
import { startLlmServer, type LlmServer } from '../test/support/llm-server.ts';
import { S2SClient } from './index.js';

// Gateways that resume each other's sessions share their session store: the local Redis (CI runs one).
const REDIS_URL = process.env.S2S_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let llm: LlmServer;
let first: TestGateway;
let second: TestGateway;
before(async () => {
  llm = await startLlmServer({ script: { text: 'Noted.' } });
  const config = { llm: { baseUrl: llm.url }, redisUrl: REDIS_URL };
  [first, second] = await Promise.all([startTestGateway(config), startTestGateway(config)]);
});
after(async () => {
  await Promise.all([first?.close(), second?.close()]);
  await llm?.close();
});

test('a gateway that drains closes with 1012: the client resumes the same session at once on the next URL', { timeout: 120_000 }, async () => {
  const client = new S2SClient({ url: [first.wsUrl, second.wsUrl], session: { lang: 'en' }, reconnect: { minDelayMs: 50, maxDelayMs: 1_000 } });
  const changes: { state: string; code?: number | undefined }[] = [];
  client.on('state', ({ state, code }) => changes.push({ state, code }));
  const started = await client.connect();
  const resumed = new Promise<{ session_id: string }>((resolve) => client.on('session_started', resolve));

  await first.drain();
  const again = await resumed;
  assert.equal(again.session_id, started.session_id);
  assert.deepEqual(changes, [
    { state: 'connecting', code: undefined },
    { state: 'open', code: undefined },
    { state: 'reconnecting', code: 1012 },
    { state: 'open', code: undefined },
  ]);
  assert.equal(second.runtime.sessions.size, 1, 'the session went on on the other gateway');
  const answered = new Promise((resolve) => client.on('response_end', resolve));
  client.text('Still there?');
  await answered;
  client.close();
});
