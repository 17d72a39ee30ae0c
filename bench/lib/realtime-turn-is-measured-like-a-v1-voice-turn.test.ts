import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useGatewayWithLlm } from '../../test/support/gateway.ts';
import { FIXTURES_DIR, readWav } from '../../test/support/wav.ts';
import { voiceOverhead } from './overhead.ts';
import { at24kHz, runRealtimeVoiceSession } from './realtime-session.ts';
import { lastSpeechFrame } from './speech-end.ts';

describe('the bench\'s Realtime voice driver', () => {
  const env = useGatewayWithLlm({ text: 'Your order shipped this morning.', firstTokenMs: 50, tokensPerSecond: 40 });

  test('a Realtime voice turn gives a client voice-to-voice and the stage times, so its overhead is computed as protocol v1\'s', async () => {
    const wav = readWav(`${FIXTURES_DIR}order-status-en-16k.wav`);
    const utterance = await at24kHz({ wav, lastSpeechFrame: lastSpeechFrame(wav.samples, 320), trailingSilenceMs: 800 });
    const minSilenceMs = env.gateway.runtime.config.vad.minSilenceMs;
    const samples = await runRealtimeVoiceSession({ url: env.gateway.wsUrl, turns: 1, signal: AbortSignal.timeout(60_000), utterance, minSilenceMs });
    assert.equal(samples.length, 1, JSON.stringify(samples));
    const [sample] = samples;
    assert.equal(sample?.failure, undefined);
    assert.equal(sample?.interrupted, false);
    assert.ok(sample?.latencyMs !== undefined && sample.latencyMs > minSilenceMs, `voice-to-voice ${sample?.latencyMs} ms`);
    assert.equal(typeof sample?.speechEndDelayMs, 'number');
    const overhead = voiceOverhead(sample.latencyMs, sample.timings ?? {}, minSilenceMs);
    assert.ok(overhead && Number.isFinite(overhead.overheadMs), JSON.stringify(sample));
  });
});
