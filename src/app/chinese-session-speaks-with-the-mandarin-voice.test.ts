import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_MANDARIN_VOICE, MANDARIN_TEST_RATE_HZ, useGatewayWithLlm } from '../../test/support/gateway.ts';
import { TestClient } from '../../test/support/ws-client.ts';

// The gateway runs with the default config, where only `tts.voice` is set (the generated English voice); a
// generated Mandarin voice stands in for the catalog's huayan under its name.
describe('a Chinese session with no voice configured', () => {
  const env = useGatewayWithLlm({ text: '你好，我可以帮你查订单。' });

  test('speaks with the Mandarin voice, every phoneme known to it', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    const started = await client.start({ lang: 'zh' });
    client.send({ type: 'text_input', text: '我的订单呢？' });
    const ttsStart = await client.next('tts_start');
    await client.next('response_end');
    await client.close();

    assert.deepEqual(client.protocolErrors, []);
    assert.deepEqual(client.messages('error'), []);
    assert.equal(started.voice, DEFAULT_MANDARIN_VOICE);
    assert.equal(started.audio_out.sample_rate, MANDARIN_TEST_RATE_HZ);
    assert.equal(ttsStart.sample_rate, MANDARIN_TEST_RATE_HZ);
    assert.ok(client.received.some((r) => r.kind === 'audio' && r.bytes.length > 0), 'audio');
  });

  test('a voice the client names still wins over the language', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    const started = await client.start({ lang: 'zh', voice: 'test-voice' });
    await client.close();
    assert.equal(started.voice, 'test-voice');
    assert.notEqual(started.audio_out.sample_rate, MANDARIN_TEST_RATE_HZ);
  });

  test('a regional tag (zh-CN) takes its language\'s voice', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    const started = await client.start({ lang: 'zh-CN' });
    await client.close();
    assert.equal(started.voice, DEFAULT_MANDARIN_VOICE);
  });
});
