import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { spawnGateway, type ChildGateway } from '../../test/support/spawn-gateway.ts';
import { until } from '../../test/support/until.ts';
import { TestClient } from '../../test/support/ws-client.ts';

let gateway: ChildGateway;

before(async () => {
  gateway = await spawnGateway({ server: { apiKeys: ['secret-key'] }, limits: { maxFrameBytes: 4096 } }, { S2S_TEST_LOG: 'warn' });
});

after(() => gateway?.close());

test('the Authorization scheme is matched in any case: bearer, BEARER and Bearer all work', async () => {
  for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
    const client = await TestClient.connect(gateway.wsUrl, { authorization: `${scheme} secret-key` });
    await client.start();
    await client.close();
  }
});

test('oversized frames are logged once per connection, at warn and without a stack', async () => {
  const connections = 3;
  for (let i = 0; i < connections; i++) {
    const client = await TestClient.connect(gateway.wsUrl, { authorization: 'Bearer secret-key' });
    await client.start();
    const closed = client.closed();
    client.sendAudio(new Uint8Array(8192));
    client.sendAudio(new Uint8Array(8192));
    assert.equal((await closed).code, 1009);
  }
  const about = () => gateway.logs().filter((line) => JSON.stringify(line).includes('WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'));
  await until('the oversized frames to be logged', () => about().length >= connections, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const lines = about();
  assert.equal(lines.length, connections, 'one line per connection');
  for (const line of lines) {
    assert.equal(line.level, 40, 'warn: the client is at fault, not the gateway');
    assert.doesNotMatch(JSON.stringify(line), /"stack"/);
  }
});
