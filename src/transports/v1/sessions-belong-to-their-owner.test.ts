import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useGatewayWithLlm } from '../../../test/support/gateway.ts';
import { TestClient } from '../../../test/support/ws-client.ts';
import { CLOSE_CODES } from './close-codes.ts';

const ALICE = 'key-of-alice';
const MALLORY = 'key-of-mallory';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const SECRET_TEXT = 'My card number is 4111 1111 1111 1111';

describe('a session belongs to the credential that created it', () => {
  const env = useGatewayWithLlm({ text: 'Noted.' }, { server: { apiKeys: [ALICE, MALLORY] } });

  /** Alice's session with her card number in its memory; her connection closed. */
  async function alicesSession() {
    const alice = await TestClient.connect(env.gateway.wsUrl, bearer(ALICE));
    const started = await alice.start();
    alice.send({ type: 'text_input', text: SECRET_TEXT });
    await alice.next('response_end');
    await alice.close();
    return started;
  }

  const llmSaw = (from: number) => JSON.stringify(env.llm.requests.slice(from).map((r) => r.body.messages));

  test('session ids come from the gateway: long, random, with a resume secret', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl, bearer(ALICE));
    const first = await client.start();
    const other = await TestClient.connect(env.gateway.wsUrl, bearer(ALICE));
    const second = await other.start();
    for (const started of [first, second]) {
      assert.match(started.session_id, /^[A-Za-z0-9_-]{24,}$/);
      assert.ok(started.resume_secret.length >= 32);
    }
    assert.notEqual(first.session_id, second.session_id);
    await client.close();
    await other.close();
  });

  test('a session_id the client chose is refused with resume_refused, and nothing starts', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl, bearer(ALICE));
    client.send({ type: 'session_start', session_id: 'alice-0001' });
    const error = await client.next('error');
    assert.deepEqual({ code: error.code, recoverable: error.recoverable }, { code: 'resume_refused', recoverable: true });
    assert.equal(client.messages('session_started').length, 0);
    client.send({ type: 'text_input', text: 'hello' });
    assert.equal((await client.next('error', { after: 1 })).code, 'not_started');
    // The connection may still start a session of its own.
    assert.equal((await client.start()).resumed, false);
    await client.close();
  });

  test('another API key cannot resume it, and its memory never reaches that key', async () => {
    const started = await alicesSession();
    const mallory = await TestClient.connect(env.gateway.wsUrl, bearer(MALLORY));
    const from = env.llm.requests.length;
    mallory.send({ type: 'session_start', session_id: started.session_id });
    assert.equal((await mallory.next('error')).code, 'resume_refused');
    mallory.send({ type: 'text_input', text: 'What is my card number?' });
    assert.equal((await mallory.next('error', { after: 1 })).code, 'not_started');
    // Her own session (started fresh) knows nothing of Alice's.
    await mallory.start();
    mallory.send({ type: 'text_input', text: 'What is my card number?' });
    await mallory.next('response_end');
    await mallory.close();
    assert.ok(!llmSaw(from).includes('4111'), llmSaw(from));
  });

  test('the creating key resumes it with its memory; another key needs the resume secret', async () => {
    const started = await alicesSession();
    const alice = await TestClient.connect(env.gateway.wsUrl, bearer(ALICE));
    const again = await alice.start({ session_id: started.session_id });
    assert.deepEqual({ id: again.session_id, resumed: again.resumed }, { id: started.session_id, resumed: true });
    assert.notEqual(again.resume_secret, started.resume_secret, 'every start issues a new secret');
    await alice.close();

    const handedOver = await TestClient.connect(env.gateway.wsUrl, bearer(MALLORY));
    handedOver.send({ type: 'session_start', session_id: started.session_id, resume_secret: started.resume_secret });
    assert.equal((await handedOver.next('error')).code, 'resume_refused', 'the replaced secret no longer works');
    const resumed = await handedOver.start({ session_id: started.session_id, resume_secret: again.resume_secret });
    assert.equal(resumed.resumed, true);
    const from = env.llm.requests.length;
    handedOver.send({ type: 'text_input', text: 'What did I tell you?' });
    await handedOver.next('response_end');
    await handedOver.close();
    assert.ok(llmSaw(from).includes('4111'), 'the holder of the secret continues the conversation');
  });

  test('a second connection resuming a live session takes it over; the first is closed with 4011', async () => {
    const first = await TestClient.connect(env.gateway.wsUrl, bearer(ALICE));
    const started = await first.start();
    const second = await TestClient.connect(env.gateway.wsUrl, bearer(ALICE));
    const closed = first.closed();
    const resumed = await second.start({ session_id: started.session_id });
    assert.equal(resumed.resumed, true);
    assert.equal((await closed).code, CLOSE_CODES.session_taken_over);
    second.send({ type: 'text_input', text: 'Still mine?' });
    await second.next('response_end');
    await second.close();
  });

  test('a guessed id of the right shape is refused like any unknown one', async () => {
    const started = await alicesSession();
    const guess = `${started.session_id.slice(0, -1)}${started.session_id.endsWith('A') ? 'B' : 'A'}`;
    const alice = await TestClient.connect(env.gateway.wsUrl, bearer(ALICE));
    alice.send({ type: 'session_start', session_id: guess });
    assert.equal((await alice.next('error')).code, 'resume_refused');
    await alice.close();
  });
});

describe('on a gateway without API keys', () => {
  const env = useGatewayWithLlm({ text: 'Noted.' });

  test('a session resumes only with its resume secret', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    const started = await client.start();
    await client.close();
    const stranger = await TestClient.connect(env.gateway.wsUrl);
    stranger.send({ type: 'session_start', session_id: started.session_id });
    assert.equal((await stranger.next('error')).code, 'resume_refused');
    const owner = await stranger.start({ session_id: started.session_id, resume_secret: started.resume_secret });
    assert.equal(owner.resumed, true);
    await stranger.close();
  });
});
