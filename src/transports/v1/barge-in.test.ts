import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TEST_TRANSCRIPT, useGatewayWithLlm } from '../../../test/support/gateway.ts';
import { FIXTURES_DIR, readWav, streamPcm, type Wav } from '../../../test/support/wav.ts';
import { TestClient } from '../../../test/support/ws-client.ts';

const MIC_16K = { sample_rate: 16_000, format: 'pcm16', channels: 1 };
const LONG_ANSWER = Array.from({ length: 30 }, (_, i) => `This is sentence ${i + 1} of a long answer.`).join(' ');
const speech = readWav(`${FIXTURES_DIR}order-status-en-16k.wav`);

/** 100 ms of real speech (the loudest part of "And" in jfk.wav) between silences: Silero flags it, briefly. */
function speechBurst(): Wav {
  const jfk = readWav(`${FIXTURES_DIR}jfk.wav`).samples;
  const samples = new Int16Array(16_000 * 1.5);
  samples.set(jfk.subarray(6_400, 6_400 + 1_600), 8_000);
  return { sampleRateHz: 16_000, channels: 1, samples };
}

describe('barge-in: user speech while the assistant speaks', () => {
  const env = useGatewayWithLlm({ text: LONG_ANSWER, tokensPerSecond: 30 }, { vad: { minSpeechMs: 250, bargeInMinSpeechMs: 300 } });

  async function speakingClient(): Promise<TestClient> {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start({ audio: MIC_16K });
    client.send({ type: 'text_input', text: 'Tell me everything.' });
    await client.next('tts_start');
    return client;
  }

  test('speech longer than bargeInMinSpeechMs interrupts the response, and what was said becomes the next turn', async () => {
    const client = await speakingClient();
    const streaming = streamPcm((b) => client.sendAudio(b), speech, { speed: 1, silenceMs: 800 });
    const interrupted = await client.next('response_end');
    assert.equal(interrupted.interrupted, true);
    env.llm.setScript({ text: 'Okay.' });
    const speechStart = client.received.findIndex((r) => r.kind === 'message' && r.message.type === 'vad');
    const end = client.received.findIndex((r) => r.kind === 'message' && r.message.type === 'response_end');
    assert.ok(speechStart >= 0 && speechStart < end, 'the interruption follows speech_start');
    await streaming;
    const final = await client.next('asr_final');
    assert.equal(final.text, TEST_TRANSCRIPT);
    const next = await client.next('response_end', { after: 1, timeoutMs: 30_000 });
    assert.equal(next.turn_id, final.turn_id);
    await client.close();
    env.llm.setScript({ text: LONG_ANSWER, tokensPerSecond: 30 });
  });

  test('a 100 ms burst, shorter than the minimum, does not cancel the reply', async () => {
    env.llm.setScript({ text: 'A short answer that plays to its end. It has two sentences.', tokensPerSecond: 30 });
    try {
      const client = await speakingClient();
      await streamPcm((b) => client.sendAudio(b), speechBurst(), { speed: 1 });
      const end = await client.next('response_end', { timeoutMs: 30_000 });
      assert.equal(end.interrupted, false);
      assert.deepEqual(client.messages('vad'), []);
      await client.close();
    } finally {
      env.llm.setScript({ text: LONG_ANSWER, tokensPerSecond: 30 });
    }
  });
});
