import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startTestGateway } from '../../../test/support/gateway.ts';
import { startLlmServer, type LlmServer } from '../../../test/support/llm-server.ts';
import { TestClient } from '../../../test/support/ws-client.ts';

// The real local PostgreSQL (CI and developer machines run it); override with S2S_TEST_POSTGRES_URL.
const POSTGRES_URL = process.env.S2S_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.S2S_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let llm: LlmServer;
before(async () => {
  llm = await startLlmServer({ script: { text: 'Your order ships on Monday.' } });
});
after(() => llm.close());

test('a client reconnecting with its session_id to a restarted gateway continues the conversation from Postgres', async () => {
  const config = { llm: { baseUrl: llm.url }, postgresUrl: POSTGRES_URL, redisUrl: REDIS_URL };

  const first = await startTestGateway(config);
  const client = await TestClient.connect(first.wsUrl);
  const started = await client.start({ lang: 'en-GB' });
  assert.equal(started.resumed, false);
  const sessionId = started.session_id;
  client.send({ type: 'text_input', text: 'When does my order ship?' });
  await client.next('response_end');
  await client.close();
  await first.close();

  const second = await startTestGateway(config);
  try {
    const again = await TestClient.connect(second.wsUrl);
    // Without API keys, the resume secret is what proves the session is this client's.
    const resumed = await again.start({ session_id: sessionId, resume_secret: started.resume_secret, lang: undefined });
    assert.equal(resumed.session_id, sessionId);
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.lang, 'en-GB', 'the language comes back from the session store');
    const next = llm.requests.length;
    again.send({ type: 'text_input', text: 'And when will it arrive?' });
    await again.next('response_end');
    await again.close();
    const messages = (llm.requests[next]?.body.messages ?? []).filter((m) => m.role !== 'system');
    assert.deepEqual(messages.map((m) => [m.role, m.content]), [
      ['user', 'When does my order ship?'],
      ['assistant', 'Your order ships on Monday.'],
      ['user', 'And when will it arrive?'],
    ]);
  } finally {
    await second.close();
    const client = new pg.Client(POSTGRES_URL);
    await client.connect();
    await client.query('DELETE FROM checkpoints WHERE thread_id = $1', [sessionId]);
    await client.query('DELETE FROM checkpoint_writes WHERE thread_id = $1', [sessionId]);
    await client.query('DELETE FROM checkpoint_blobs WHERE thread_id = $1', [sessionId]);
    await client.end();
  }
});
