import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import WebSocket from 'ws';
import { spawnGateway } from '../../test/support/gateway-process.ts';
import { startLlmServer } from '../../test/support/llm-server.ts';
import { TestClient } from '../../test/support/ws-client.ts';
import { CLOSE_CODES } from '../transports/v1/close-codes.ts';

const GRACE_MS = 8_000;
// About two seconds of answer at 10 tokens a second: well inside the grace, far longer than an interruption.
const ANSWER = 'Here is a slow and careful answer that takes a couple of seconds to stream out word by word.';

test('SIGTERM: /ready 503 at once, new sessions refused, the running turn finishes, clients get 1012, a deaf peer is cut off, exit 0', async () => {
  const llm = await startLlmServer({ script: { text: ANSWER, tokensPerSecond: 10 } });
  const gateway = await spawnGateway({ S2S_LLM_BASE_URL: llm.url, S2S_SHUTDOWN_GRACE_MS: String(GRACE_MS) });
  try {
    const talking = await TestClient.connect(gateway.wsUrl);
    await talking.start();
    // A peer that stops reading: it never answers the gateway's close frame.
    const deaf = await TestClient.connect(gateway.wsUrl);
    await deaf.start();
    deaf.ws.pause();
    const deafClosed = once(deaf.ws, 'close');

    talking.send({ type: 'text_input', text: 'Tell me something slowly' });
    await talking.next('tts_start');
    const talkingClosed = talking.closed();
    gateway.child.kill('SIGTERM');

    let ready: Response;
    do ready = await fetch(`${gateway.url}/ready`);
    while (ready.status === 200);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { admission: { reason: string } }).admission.reason, 'draining');
    assert.equal(talking.messages('response_end').length, 0, '/ready turned 503 while the turn was still running');

    // A socket holds no session before session_start: the start is what the draining gateway refuses.
    const late = new WebSocket(gateway.wsUrl);
    late.once('open', () => late.send(JSON.stringify({ type: 'session_start', lang: 'en' })));
    const [lateCode] = (await once(late, 'close')) as [number];
    assert.equal(lateCode, CLOSE_CODES.shutting_down);

    const end = await talking.next('response_end', { timeoutMs: GRACE_MS });
    assert.equal(end.interrupted, false, 'the running turn finished');
    assert.equal(talking.messages('llm_token').map((m) => m.token).join(''), ANSWER);
    const closed = await talkingClosed;
    assert.equal(closed.code, 1012);
    assert.equal(closed.code, CLOSE_CODES.shutting_down);

    const exit = await gateway.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(gateway.logs.some((line) => line.msg === 'peers ignored the close handshake; cut off at the end of the grace' && line.peers === 1));
    // Reading again, the deaf peer finds the reconnect code the gateway sent before cutting it off.
    deaf.ws.resume();
    const [deafCode] = (await deafClosed) as [number];
    assert.equal(deafCode, CLOSE_CODES.shutting_down);
  } finally {
    gateway.child.kill('SIGKILL');
    await llm.close();
  }
});
