import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useGatewayWithLlm } from '../test/support/gateway.ts';
import { S2SClient, S2SError } from './index.js';

const KEY = 'client-test-key';

/** Resolves with the first event of `type` that satisfies `where`. */
function nextEvent<K extends Parameters<S2SClient['on']>[0]>(client: S2SClient, type: K, where: (event: Parameters<Parameters<S2SClient['on']>[1]>[0]) => boolean = () => true) {
  return new Promise<unknown>((resolve) => {
    const stop = client.on(type, (event) => {
      if (!where(event)) return;
      stop();
      resolve(event);
    });
  });
}

describe('the client library keeps a session across lost connections', () => {
  const env = useGatewayWithLlm({ text: 'Nice to meet you.' }, { server: { apiKeys: [KEY] } });

  test('a dropped connection is re-opened with backoff and resumes the same session and memory', async () => {
    const client = new S2SClient({ url: env.gateway.wsUrl, token: KEY, session: { lang: 'en' }, reconnect: { minDelayMs: 20, maxDelayMs: 50 } });
    const states: string[] = [];
    client.on('state', ({ state }) => states.push(state));
    const started = await client.connect();
    assert.equal(started.resumed, false);

    client.text('My name is Ada');
    await nextEvent(client, 'response_end');

    const resumed = nextEvent(client, 'session_started');
    // The gateway's side of the socket dies without a close frame, as on a network cut.
    for (const socket of env.gateway.app.websocketServer.clients) socket.terminate();
    const again = (await resumed) as { session_id: string; resumed: boolean };
    assert.deepEqual({ id: again.session_id, resumed: again.resumed }, { id: started.session_id, resumed: true });
    assert.deepEqual(states, ['connecting', 'open', 'reconnecting', 'open']);

    const next = env.llm.requests.length;
    client.text('What is my name?');
    await nextEvent(client, 'response_end');
    const contents = (env.llm.requests[next]?.body.messages ?? []).map((m) => String(m.content));
    assert.ok(contents.includes('My name is Ada'), JSON.stringify(contents));
    client.close();
    assert.equal(client.state, 'closed');
  });

  test('getToken fetches a fresh client token for every connection; the resume carries the latest resume secret', async () => {
    const minted: string[] = [];
    const getToken = async () => {
      const response = await fetch(`${env.gateway.url}/v1/client-tokens`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` } });
      const { token } = (await response.json()) as { token: string };
      minted.push(token);
      return token;
    };
    const client = new S2SClient({ url: env.gateway.wsUrl, getToken, session: { lang: 'en' }, reconnect: { minDelayMs: 20, maxDelayMs: 50 } });
    const started = await client.connect();
    assert.equal(client.resumeSecret, started.resume_secret);
    const resumed = nextEvent(client, 'session_started');
    for (const socket of env.gateway.app.websocketServer.clients) socket.terminate();
    const again = (await resumed) as { session_id: string; resumed: boolean; resume_secret: string };
    assert.deepEqual({ id: again.session_id, resumed: again.resumed }, { id: started.session_id, resumed: true });
    assert.equal(minted.length, 2);
    assert.ok(minted.every((token) => token.startsWith('s2st_')), 'the key itself never went into a URL');
    assert.equal(client.resumeSecret, again.resume_secret);
    client.close();
  });

  test('a start the gateway refuses rejects with its error code, and nothing reconnects', async () => {
    const client = new S2SClient({ url: env.gateway.wsUrl, token: KEY, session: { voice: 'no-such-voice' } });
    const error = await client.connect().then(() => undefined, (err: unknown) => err);
    assert.ok(error instanceof S2SError, String(error));
    assert.equal(error.code, 'invalid_message');
    assert.equal(error.recoverable, true);
    assert.equal(client.state, 'closed');
  });

  test('without the API key the upgrade is refused and the client gives up after its retries', async () => {
    const client = new S2SClient({ url: env.gateway.wsUrl, reconnect: { retries: 2, minDelayMs: 5, maxDelayMs: 10 } });
    const states: string[] = [];
    client.on('state', ({ state }) => states.push(state));
    await assert.rejects(client.connect(), /connection closed/);
    assert.deepEqual(states, ['connecting', 'reconnecting', 'reconnecting', 'closed']);
  });
});

describe('on a gateway without API keys the client resumes with its resume secret', () => {
  const env = useGatewayWithLlm({ text: 'Hello again.' });

  test('a dropped connection resumes the same session: the client sends the secret the gateway gave it', async () => {
    const client = new S2SClient({ url: env.gateway.wsUrl, session: { lang: 'en' }, reconnect: { minDelayMs: 20, maxDelayMs: 50 } });
    const started = await client.connect();
    const resumed = nextEvent(client, 'session_started');
    for (const socket of env.gateway.app.websocketServer.clients) socket.terminate();
    const again = (await resumed) as { session_id: string; resumed: boolean };
    assert.deepEqual({ id: again.session_id, resumed: again.resumed }, { id: started.session_id, resumed: true });
    client.close();
  });
});
