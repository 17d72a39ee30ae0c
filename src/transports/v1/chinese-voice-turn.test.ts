import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_MANDARIN_VOICE, MANDARIN_TEST_RATE_HZ, useGatewayWithLlm } from '../../../test/support/gateway.ts';
import { FIXTURES_DIR, readWav, streamPcm } from '../../../test/support/wav.ts';
import { EMPTY_TINY_MODEL } from '../../../test/support/whisper-model.ts';
import { TestClient } from '../../../test/support/ws-client.ts';

// The generated model's vocabulary (the multilingual tiny's) has no token for the full-width question mark.
const QUESTION = '今天天气怎么样';
const ANSWER = '今天晴天，气温二十度。出门记得带水。';
const weather = readWav(`${FIXTURES_DIR}weather-zh-16k.wav`);

// The seeds' default language, out of the box: no voice configured for it, the Mandarin voice answers.
describe('a Chinese voice turn, end to end', () => {
  const env = useGatewayWithLlm({ text: ANSWER }, { asrTemplatePath: EMPTY_TINY_MODEL, asrPhrase: QUESTION });

  test('spoken Mandarin in at real-time pace, the transcript to the agent in Chinese, the answer spoken by the Mandarin voice', async () => {
    const client = await TestClient.connect(env.gateway.wsUrl);
    const started = await client.start({ lang: 'zh', audio: { sample_rate: 16_000, format: 'pcm16', channels: 1 } });
    assert.equal(started.voice, DEFAULT_MANDARIN_VOICE);
    const requestsBefore = env.llm.requests.length;
    await streamPcm((b) => client.sendAudio(b), weather, { speed: 1, silenceMs: 800 });
    const end = await client.next('response_end');
    await client.close();

    assert.deepEqual(client.protocolErrors, []);
    assert.deepEqual(client.messages('error'), []);
    assert.deepEqual(client.messages('vad').map((m) => m.state), ['speech_start', 'speech_end']);
    assert.equal(client.messages('asr_final')[0]?.text, QUESTION);
    const request = env.llm.requests[requestsBefore];
    assert.equal(request?.body.messages?.at(-1)?.content, QUESTION);
    assert.match(String(request?.body.messages?.[0]?.content), /[\u4e00-\u9fff]/, 'the system prompt is in Chinese');
    assert.equal(client.messages('llm_token').map((m) => m.token).join(''), ANSWER);
    assert.equal((await client.next('tts_start')).sample_rate, MANDARIN_TEST_RATE_HZ);
    assert.ok(client.audioBytes() > 0, 'the answer was spoken');
    assert.equal(end.interrupted, false);
    assert.equal(typeof end.timings.voice_to_voice_ms, 'number');
  });
});
