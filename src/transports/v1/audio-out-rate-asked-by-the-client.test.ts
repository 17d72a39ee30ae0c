import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useGatewayWithLlm } from '../../../test/support/gateway.ts';
import { TestClient } from '../../../test/support/ws-client.ts';

async function spoken(wsUrl: string, start: Record<string, unknown>) {
  const client = await TestClient.connect(wsUrl);
  const started = await client.start(start);
  client.send({ type: 'text_input', text: 'Say it' });
  const ttsStart = await client.next('tts_start');
  await client.next('response_end');
  await client.close();
  assert.deepEqual(client.protocolErrors, []);
  return { started, ttsStart, bytes: client.audioBytes() };
}

// Seed 003's client plays at a fixed 24 kHz; a voice at another rate would play too fast or too slow there.
describe('session_start.audio_out: the client says the rate it plays at', () => {
  const env = useGatewayWithLlm({ text: 'Your order shipped this morning. It arrives on Thursday.' });

  test('the answer arrives at 24 kHz, as long in time as at the voice\'s own rate', async () => {
    const own = await spoken(env.gateway.wsUrl, {});
    const at24k = await spoken(env.gateway.wsUrl, { audio_out: { sample_rate: 24_000 } });
    const voiceRate = own.started.audio_out.sample_rate;
    assert.notEqual(voiceRate, 24_000, 'the test voice speaks at another rate');
    assert.equal(at24k.started.audio_out.sample_rate, 24_000);
    assert.equal(at24k.ttsStart.sample_rate, 24_000);
    const ratio = at24k.bytes / own.bytes;
    assert.ok(Math.abs(ratio - 24_000 / voiceRate) < 0.005, `24 kHz / own-rate audio = ${ratio}`);
  });

  test('a rate outside 8-48 kHz is refused at the edge', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    client.send({ type: 'session_start', audio_out: { sample_rate: 96_000 } });
    const error = await client.next('error');
    assert.equal(error.code, 'invalid_message');
    assert.match(error.message, /audio_out\.sample_rate/);
    await client.close();
  });
});
