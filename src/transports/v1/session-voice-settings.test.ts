import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useGatewayWithLlm } from '../../../test/support/gateway.ts';
import { FIXTURES_DIR, readWav, streamPcm } from '../../../test/support/wav.ts';
import { EMPTY_TINY_MODEL } from '../../../test/support/whisper-model.ts';
import { TestClient } from '../../../test/support/ws-client.ts';

const ANSWER = 'One short sentence.';

async function spokenAudio(wsUrl: string, start: Record<string, unknown>): Promise<{ bytes: Buffer; client: TestClient }> {
  const client = await TestClient.connect(wsUrl);
  await client.start(start);
  client.send({ type: 'text_input', text: 'Say it' });
  await client.next('response_end');
  await client.close();
  const bytes = Buffer.concat(client.received.flatMap((r) => (r.kind === 'audio' ? [r.bytes] : [])));
  return { bytes, client };
}

describe('per-session synthesis settings (session_start.tts)', () => {
  const env = useGatewayWithLlm({ text: ANSWER }, { voice: { speakers: ['alice', 'bob'] } });

  test('length_scale changes the speaking rate for that session only', async () => {
    const normal = await spokenAudio(env.gateway.wsUrl, {});
    const slow = await spokenAudio(env.gateway.wsUrl, { tts: { length_scale: 2 } });
    const ratio = slow.bytes.length / normal.bytes.length;
    assert.ok(Math.abs(ratio - 2) < 0.05, `slow/normal audio = ${ratio}`);
  });

  test('a speaker chosen by name or number speaks with that voice; an unknown one is reported at start', async () => {
    const alice = await spokenAudio(env.gateway.wsUrl, { tts: { speaker: 'alice' } });
    const bob = await spokenAudio(env.gateway.wsUrl, { tts: { speaker: 'bob' } });
    const bobByNumber = await spokenAudio(env.gateway.wsUrl, { tts: { speaker: 1 } });
    const bobTheOldWay = await spokenAudio(env.gateway.wsUrl, { voice: 'bob' });
    assert.equal(alice.bytes.length, bob.bytes.length);
    assert.notDeepEqual(alice.bytes, bob.bytes);
    assert.deepEqual(bobByNumber.bytes, bob.bytes);
    assert.deepEqual(bobTheOldWay.bytes, bob.bytes);

    const carol = await spokenAudio(env.gateway.wsUrl, { tts: { speaker: 'carol' } });
    assert.equal(carol.client.messages('error')[0]?.code, 'invalid_message');
    assert.deepEqual(carol.bytes, alice.bytes, 'the default speaker speaks instead');
  });

  test('out-of-range settings are refused at the edge', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    client.send({ type: 'session_start', lang: 'en', tts: { length_scale: 100 } });
    const error = await client.next('error');
    assert.equal(error.code, 'invalid_message');
    assert.match(error.message, /tts\.length_scale/);
    await client.close();
  });
});

describe("lang 'auto': the language whisper hears is the turn's language", () => {
  const env = useGatewayWithLlm({ text: ANSWER }, { asrTemplatePath: EMPTY_TINY_MODEL });

  test('the agent is asked in the detected language, not told to guess', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start({ lang: 'auto', audio: { sample_rate: 16_000, format: 'pcm16', channels: 1 } });
    await streamPcm((b) => client.sendAudio(b), readWav(`${FIXTURES_DIR}order-status-en-16k.wav`), { speed: Infinity });
    client.send({ type: 'audio_end' });
    await client.next('response_end');
    await client.close();
    const system = String(env.llm.requests.at(-1)?.body.messages?.find((m) => m.role === 'system')?.content);
    assert.doesNotMatch(system, /Reply in the language the user speaks/);
  });
});
