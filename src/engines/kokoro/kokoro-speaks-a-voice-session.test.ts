import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { useGatewayWithLlm } from '../../../test/support/gateway.ts';
import { writeTestKokoro } from '../../../test/support/kokoro-model.ts';
import { TestClient } from '../../../test/support/ws-client.ts';

const ANSWER = 'Your order shipped this morning. It arrives on Thursday.';

async function turn(wsUrl: string, start: Record<string, unknown>) {
  const client = await TestClient.connect(wsUrl);
  const started = await client.start(start);
  client.send({ type: 'text_input', text: 'Where is my order?' });
  const end = await client.next('response_end');
  await client.close();
  assert.deepEqual(client.protocolErrors, []);
  return { client, started, end };
}

describe('a gateway speaking with Kokoro (tts.engine = "kokoro")', () => {
  const files = {} as { modelPath: string; voicePackPath: string };
  before(async () => Object.assign(files, await writeTestKokoro(mkdtempSync(join(tmpdir(), 's2s-kokoro-')))));
  const env = useGatewayWithLlm({ text: ANSWER }, () => ({
    tts: { engine: 'kokoro', model: files.modelPath, voicePack: files.voicePackPath, phonemizerWorkers: 1 },
  }));

  test('a session naming a Kokoro voice hears the answer in it, at 24 kHz', async () => {
    const { client, started, end } = await turn(env.gateway.wsUrl, { voice: 'bf_emma' });
    assert.equal(started.voice, 'bf_emma');
    assert.equal(started.audio_out.sample_rate, 24_000);
    assert.deepEqual(client.messages('error'), []);
    assert.equal((client.messages('tts_start')[0] as { sample_rate?: number } | undefined)?.sample_rate, 24_000);
    assert.ok(client.audioBytes() > 0, 'the answer was spoken');
    assert.equal(end.interrupted, false);
  });

  test('a session in Spanish gets the Spanish voice, one naming none the default', async () => {
    assert.equal((await turn(env.gateway.wsUrl, { lang: 'es' })).started.voice, 'ef_dora');
    assert.equal((await turn(env.gateway.wsUrl, {})).started.voice, 'af_heart');
  });

  test('seed 004\'s generic voice names speak (blends of two voices of their kind)', async () => {
    const { client, started } = await turn(env.gateway.wsUrl, { voice: 'af' });
    assert.equal(started.voice, 'af');
    assert.ok(client.audioBytes() > 0);
  });

  test('a voice the gateway does not offer gets a coded error naming it at start; the default voice answers', async () => {
    const { client, started } = await turn(env.gateway.wsUrl, { voice: 'zz_nobody' });
    assert.deepEqual(
      client.messages('error').map((e) => e.code),
      ['invalid_message'],
    );
    assert.match(String(client.messages('error')[0]?.message), /zz_nobody/);
    assert.equal(started.voice, 'af_heart');
    assert.ok(client.audioBytes() > 0);
  });
});
