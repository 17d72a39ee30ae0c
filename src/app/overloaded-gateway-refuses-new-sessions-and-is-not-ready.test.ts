import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { startTestGateway, type TestGateway } from '../../test/support/gateway.ts';
import { CLOSE_CODES } from '../transports/v1/close-codes.ts';
import { REALTIME_PATH } from '../transports/realtime/route.ts';

/**
 * Connects (sending `start`, where the protocol has one: a v1 socket holds no session before it) and resolves with
 * the frames received and how the gateway closed the connection.
 */
async function refusedConnection(url: string, start?: object) {
  const ws = new WebSocket(url);
  if (start) ws.once('open', () => ws.send(JSON.stringify(start)));
  const frames: unknown[] = [];
  ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString())));
  const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
  return { code, reason: reason.toString(), frames };
}

describe('a gateway past an admission limit sheds new sessions', () => {
  let gateway: TestGateway;
  before(async () => {
    // Any process has more than 1 MiB resident: the memory limit is passed from the start.
    gateway = await startTestGateway({ admission: { maxRssMb: 1 } });
  });
  after(() => gateway.close());

  test('/ready says 503 with the reason, while /health still answers', async () => {
    const ready = await gateway.app.inject({ method: 'GET', url: '/ready' });
    assert.equal(ready.statusCode, 503);
    const body = ready.json<{ ready: boolean; admission: { admitting: boolean; reason: string; rssMiB: number } }>();
    assert.equal(body.admission.admitting, false);
    assert.equal(body.admission.reason, 'memory');
    assert.ok(body.admission.rssMiB > 1);
    assert.equal((await gateway.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  });

  test('protocol v1 closes a connection whose session_start comes past the limit with 1013 (try again later) saying why', async () => {
    const { code, reason } = await refusedConnection(gateway.wsUrl, { type: 'session_start', lang: 'en' });
    assert.equal(code, CLOSE_CODES.overloaded);
    assert.equal(code, 1013);
    assert.match(reason, /overloaded.*resident memory/);
  });

  test('the Realtime API sends an overloaded error event, then closes with 1013', async () => {
    const url = `${gateway.url.replace(/^http/, 'ws')}${REALTIME_PATH}`;
    const { code, frames } = await refusedConnection(url);
    assert.equal(code, 1013);
    const error = frames[0] as { type: string; error: { code: string } };
    assert.equal(error.type, 'error');
    assert.equal(error.error.code, 'overloaded');
  });
});
