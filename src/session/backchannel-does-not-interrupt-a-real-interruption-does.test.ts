import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useGatewayWithLlm, type TestGateway } from '../../test/support/gateway.ts';
import type { LlmServer } from '../../test/support/llm-server.ts';
import { FIXTURES_DIR, readWav, streamPcm } from '../../test/support/wav.ts';
import { TestClient } from '../../test/support/ws-client.ts';

const MIC_16K = { sample_rate: 16_000, format: 'pcm16', channels: 1 };
// Long enough (about 10 s at 30 tokens/s) that the whole fixture utterance falls inside it, however the VAD splits it.
const ANSWER = Array.from({ length: 40 }, (_, i) => `This is sentence ${i + 1} of the answer.`).join(' ');
const speech = readWav(`${FIXTURES_DIR}order-status-en-16k.wav`);
/** turns.bargeIn 'transcript': speech over the answer interrupts only if its transcript is more than a backchannel. */
const OVERRIDES = { turns: { bargeIn: 'transcript' as const }, vad: { bargeInMinSpeechMs: 300 } };

/** The user speaks while the answer plays; resolves with how that answer ended. */
async function speakOverTheAnswer(env: { gateway: TestGateway; llm: LlmServer }): Promise<{ client: TestClient; interrupted: boolean }> {
  const client = await TestClient.connect(env.gateway.wsUrl);
  await client.start({ audio: MIC_16K });
  client.send({ type: 'text_input', text: 'Tell me everything.' });
  await client.next('tts_start', { timeoutMs: 30_000 });
  await streamPcm((b) => client.sendAudio(b), speech, { speed: 1, silenceMs: 800 });
  await client.next('asr_final', { timeoutMs: 30_000 });
  const end = await client.next('response_end', { timeoutMs: 60_000 });
  return { client, interrupted: end.interrupted };
}

describe('transcript-confirmed barge-in: "uh-huh"', () => {
  const env = useGatewayWithLlm({ text: ANSWER, tokensPerSecond: 30 }, { ...OVERRIDES, asrPhrase: 'Uh-huh.' });

  test('does not interrupt the answer and starts no turn', async () => {
    const { client, interrupted } = await speakOverTheAnswer(env);
    assert.equal(interrupted, false);
    assert.equal(env.llm.requests.length, 1, 'the backchannel asked the agent nothing');
    assert.equal(client.messages('response_end').length, 1);
    await client.close();
  });
});

describe('transcript-confirmed barge-in: "wait, stop"', () => {
  const env = useGatewayWithLlm({ text: ANSWER, tokensPerSecond: 30 }, { ...OVERRIDES, asrPhrase: 'Wait, stop.' });

  test('interrupts the answer', async () => {
    const { client, interrupted } = await speakOverTheAnswer(env);
    assert.equal(interrupted, true);
    await client.close();
  });
});
