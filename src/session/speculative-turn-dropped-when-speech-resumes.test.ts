import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TEST_TRANSCRIPT, useGatewayWithLlm } from '../../test/support/gateway.ts';
import { FIXTURES_DIR, readWav, streamPcm, type Wav } from '../../test/support/wav.ts';
import { TestClient } from '../../test/support/ws-client.ts';

const MIC_16K = { sample_rate: 16_000, format: 'pcm16', channels: 1 };
// Cut where the voice stops (2.52 s): the recording's own quiet tail would otherwise lengthen the pause.
const speech = readWav(`${FIXTURES_DIR}order-status-en-16k.wav`).samples.subarray(0, 16 * 2_520);

/** The utterance, a pause shorter than the 500 ms window, and the utterance again: one turn for the user. */
function speechPauseSpeech(pauseMs: number): Wav {
  const pause = new Int16Array((16_000 * pauseMs) / 1000);
  const samples = new Int16Array(speech.length * 2 + pause.length);
  samples.set(speech);
  samples.set(speech, speech.length + pause.length);
  return { sampleRateHz: 16_000, channels: 1, samples };
}

/**
 * A draft starts 100 ms into the pause; its LLM answer is a tool call, so the draft stops there. Speech resumes
 * before the window ends: the draft is dropped. Only the utterance as a whole gets an answer, and nothing of the
 * draft shows: no message to the client, no tool run, nothing in memory.
 */
describe('speculative turns', () => {
  const env = useGatewayWithLlm(
    // Every answer starts with a tool call: the draft's stops there; the committed turn runs it, then speaks.
    (request) => (request.body.messages?.some((m) => m.role === 'tool') ? { text: 'Your order shipped.' } : { toolCalls: [{ id: 'call_1', name: 'current_time', arguments: '{}' }] }),
    { turns: { speculativeAfterMs: 100 }, vad: { minSilenceMs: 500 } },
  );

  test('speech resumes after a pause shorter than the window: the draft is dropped, nothing sent, no tool run, memory untouched', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    await client.start({ audio: MIC_16K });
    const dropsBefore = (await env.gateway.runtime.metrics.speculations()).dropped;
    await streamPcm((b) => client.sendAudio(b), speechPauseSpeech(300), { speed: 1, silenceMs: 900 });
    const end = await client.next('response_end', { timeoutMs: 60_000 });
    await client.close();

    const speculations = await env.gateway.runtime.metrics.speculations();
    assert.ok(speculations.dropped > dropsBefore, 'a draft was started in the pause and dropped');
    assert.deepEqual(client.messages('asr_final').map((m) => [m.turn_id, m.text]), [[end.turn_id, TEST_TRANSCRIPT]]);
    assert.deepEqual(client.messages('tool_call').map((m) => m.turn_id), [end.turn_id], 'only the committed turn told of its tool call');
    assert.equal(client.messages('llm_token').map((m) => m.token).join(''), 'Your order shipped.');
    const bodies = env.llm.requests.map((r) => r.body.messages ?? []);
    const withResult = bodies.filter((messages) => messages.some((m) => m.role === 'tool'));
    assert.equal(withResult.length, 1, 'the tool ran once: for the committed turn, not for the draft');
    assert.deepEqual(withResult[0]?.map((m) => m.role), ['system', 'user', 'assistant', 'tool'], 'one user message: the draft left nothing in memory');
  });
});
