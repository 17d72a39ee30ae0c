import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CLOSE_CODES } from './close-codes.ts';
import { useGatewayWithLlm } from '../../../test/support/gateway.ts';
import { TestClient, upgradeStatus } from '../../../test/support/ws-client.ts';

describe('bad input gets a coded error and the session goes on', () => {
  const env = useGatewayWithLlm({ text: 'Yes.' }, { limits: { maxTextChars: 50, maxFrameBytes: 4096 } });

  const cases: Array<[string, unknown, string]> = [
    ['malformed JSON', '{"type": "session_start",', 'bad_json'],
    ['JSON that is not an object', '[1,2]', 'invalid_message'],
    ['a message without a type', { lang: 'en' }, 'invalid_message'],
    ['an unknown type', { type: 'dance' }, 'unknown_type'],
    ['a wrongly typed field', { type: 'session_start', lang: 5 }, 'invalid_message'],
    ['eagerness without semantic endpointing', { type: 'session_start', endpointing: 'vad', eagerness: 'high' }, 'invalid_message'],
    ['text before session_start', { type: 'text_input', text: 'hi' }, 'not_started'],
    ['interrupt before session_start', { type: 'interrupt' }, 'not_started'],
  ];
  for (const [name, frame, code] of cases) {
    test(`${name} -> error ${code}, then the session still works`, async () => {
      const client = await TestClient.connect(env.gateway.wsUrl);
      client.send(frame);
      const error = await client.next('error');
      assert.equal(error.code, code);
      assert.equal(error.recoverable, true);
      assert.ok(error.message.length > 0);
      await client.start();
      client.send({ type: 'text_input', text: 'Still there?' });
      await client.next('response_end');
      await client.close();
    });
  }

  test('binary audio before session_start -> not_started', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    client.sendAudio(new Uint8Array(640));
    assert.equal((await client.next('error')).code, 'not_started');
    await client.start();
    await client.close();
  });

  test('audio on a session started without an audio format -> audio_not_expected', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start();
    client.sendAudio(new Uint8Array(640));
    assert.equal((await client.next('error')).code, 'audio_not_expected');
    client.send({ type: 'audio_end' });
    assert.equal((await client.next('error', { after: 1 })).code, 'audio_not_expected');
    await client.close();
  });

  test('text over limits.maxTextChars -> text_too_long; empty text -> empty_text', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start();
    client.send({ type: 'text_input', text: 'x'.repeat(51) });
    assert.equal((await client.next('error')).code, 'text_too_long');
    client.send({ type: 'text_input', text: '   ' });
    assert.equal((await client.next('error', { after: 1 })).code, 'empty_text');
    await client.close();
  });

  test('a second session_start -> already_started', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start();
    client.send({ type: 'session_start', lang: 'en' });
    assert.equal((await client.next('error')).code, 'already_started');
    await client.close();
  });

  test('an unsupported audio format -> bad_audio_format, and no session is started', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    client.send({ type: 'session_start', lang: 'en', audio: { sample_rate: 96_000, format: 'pcm16', channels: 1 } });
    assert.equal((await client.next('error')).code, 'bad_audio_format');
    client.send({ type: 'session_start', lang: 'en', audio: { sample_rate: 16_000, format: 'opus', channels: 1 } });
    assert.equal((await client.next('error', { after: 1 })).code, 'bad_audio_format');
    await client.start({ audio: { sample_rate: 16_000, format: 'pcm16', channels: 1 } });
    await client.close();
  });

  test('a frame over limits.maxFrameBytes closes the connection with 1009', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start();
    const closed = client.closed();
    client.sendAudio(new Uint8Array(8192));
    assert.equal((await closed).code, CLOSE_CODES.frame_too_large);
  });
});

describe('session limits close with documented codes', () => {
  const env = useGatewayWithLlm({ text: 'Yes.' }, { limits: { idleTimeoutMs: 1_000, maxSessionMs: 1_500, maxSessions: 2 } });

  test('an idle session is closed with 4000', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start();
    const closed = await client.closed();
    assert.equal(closed.code, CLOSE_CODES.idle_timeout);
  });

  test('a session longer than limits.maxSessionMs is closed with 4001, even when active', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start();
    const keepAlive = setInterval(() => client.send({ type: 'ping' }), 200);
    try {
      assert.equal((await client.closed()).code, CLOSE_CODES.session_too_long);
    } finally {
      clearInterval(keepAlive);
    }
  });

  test('a session beyond limits.maxSessions is closed with 4002', async () => {
    const first = await TestClient.connect(env.gateway.wsUrl);
    const second = await TestClient.connect(env.gateway.wsUrl);
    const third = await TestClient.connect(env.gateway.wsUrl);
    await first.start();
    await second.start();
    third.send({ type: 'session_start' });
    assert.equal((await third.closed()).code, CLOSE_CODES.too_many_sessions);
    await first.close();
    await second.close();
  });
});

describe('API keys', () => {
  const env = useGatewayWithLlm({ text: 'Yes.' }, { server: { apiKeys: ['k-one', 'k-two'] } });

  test('the upgrade without a key, or with a wrong one, is refused with 401', async () => {
    assert.equal(await upgradeStatus(env.gateway.wsUrl), 401);
    assert.equal(await upgradeStatus(env.gateway.wsUrl, { authorization: 'Bearer nope' }), 401);
    assert.equal(await upgradeStatus(`${env.gateway.wsUrl}?token=nope`), 401);
  });

  test('a Bearer header or a token query parameter with a configured key is accepted', async () => {
    assert.equal(await upgradeStatus(env.gateway.wsUrl, { authorization: 'Bearer k-two' }), 101);
    assert.equal(await upgradeStatus(`${env.gateway.wsUrl}?token=k-one`), 101);
  });
});
