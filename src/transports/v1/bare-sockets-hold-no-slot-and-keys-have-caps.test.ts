import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useGatewayWithLlm } from '../../../test/support/gateway.ts';
import { until } from '../../../test/support/until.ts';
import { TestClient } from '../../../test/support/ws-client.ts';
import { CLOSE_CODES } from './close-codes.ts';

const ALICE = 'cap-key-alice';
const BOB = 'cap-key-bob';
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('a socket holds a session slot only once it has started a session', () => {
  const env = useGatewayWithLlm(
    { text: 'Yes.' },
    { server: { apiKeys: [ALICE, BOB] }, limits: { maxSessions: 2 }, access: { handshakeTimeoutMs: 1_500, maxSessionsPerKey: 1 } },
  );

  test('bare upgrades kept alive by ping are closed with 4010 and never take the slots', async () => {
    const bare = await Promise.all(Array.from({ length: 6 }, () => TestClient.connect(env.gateway.wsUrl, bearer(ALICE))));
    const pings = setInterval(() => bare.forEach((socket) => socket.send({ type: 'ping' })), 100);
    try {
      const closings = bare.map((socket) => socket.closed());
      // With six bare sockets open, both slots are still free for sessions.
      const alice = await TestClient.connect(env.gateway.wsUrl, bearer(ALICE));
      const bob = await TestClient.connect(env.gateway.wsUrl, bearer(BOB));
      await alice.start();
      await bob.start();
      for (const closed of await Promise.all(closings)) assert.equal(closed.code, CLOSE_CODES.handshake_timeout);
      assert.ok(bare[0]!.messages('pong').length > 0, 'pings were answered');
      await alice.close();
      await bob.close();
    } finally {
      clearInterval(pings);
    }
  });

  test('a started session is not closed by the handshake timeout', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl, bearer(ALICE));
    await client.start();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    client.send({ type: 'text_input', text: 'Still open?' });
    await client.next('response_end');
    await client.close();
  });

  test('a key at access.maxSessionsPerKey gets its next session closed with 4012; another key is not held back', async () => {
    const first = await TestClient.connect(env.gateway.wsUrl, bearer(ALICE));
    await first.start();
    const second = await TestClient.connect(env.gateway.wsUrl, bearer(ALICE));
    second.send({ type: 'session_start' });
    const refused = await second.closed();
    assert.equal(refused.code, CLOSE_CODES.key_session_limit);
    const bob = await TestClient.connect(env.gateway.wsUrl, bearer(BOB));
    await bob.start();
    await first.close();
    // The slot is the key's again once its session has ended (its memory written).
    await until('the first session ended', () => env.gateway.runtime.sessions.size === 1);
    const again = await TestClient.connect(env.gateway.wsUrl, bearer(ALICE));
    await again.start();
    await again.close();
    await bob.close();
  });
});
