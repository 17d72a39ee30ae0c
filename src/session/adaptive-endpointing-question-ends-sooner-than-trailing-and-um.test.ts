import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { useGatewayWithLlm } from '../../test/support/gateway.ts';
import { writeTestTurnDetector } from '../../test/support/turn-detector-model.ts';
import { FIXTURES_DIR, readWav, streamPcm, type Wav } from '../../test/support/wav.ts';
import { TestClient } from '../../test/support/ws-client.ts';

const MIC_16K = { sample_rate: 16_000, format: 'pcm16', channels: 1 };
// Cut where the voice stops (2.52 s), so the silence sent after it is all the silence there is.
const speech: Wav = { sampleRateHz: 16_000, channels: 1, samples: readWav(`${FIXTURES_DIR}order-status-en-16k.wav`).samples.subarray(0, 16 * 2_520) };
const silence = (ms: number): Wav => ({ sampleRateHz: 16_000, channels: 1, samples: new Int16Array(16 * ms) });
/** Base window 800 ms; 200 ms after a finished-looking transcript, 2.5 s after a hesitant one. */
const TURNS = { adaptiveEndpointing: true, speculativeAfterMs: 100, completeSilenceMs: 200, hesitantSilenceMs: 2_500 };
/** Room for the transcript of the pause (taken at 100 ms of silence) on a busy machine; no figure is asserted on it. */
const TRANSCRIPT_SETTLES_MS = 4_000;

/**
 * The user speaks, pauses 300 ms, and the gateway transcribes the pause's audio; then 300 ms more silence (600 ms
 * in all, short of the 800 ms base window). What the transcript says decides whether that ends the turn.
 */
async function speakThenPause(wsUrl: string, start: Record<string, unknown> = {}): Promise<TestClient> {
  const client = await TestClient.connect(wsUrl);
  await client.start({ audio: MIC_16K, ...start });
  await streamPcm((b) => client.sendAudio(b), speech, { speed: 1, silenceMs: 300 });
  await sleep(TRANSCRIPT_SETTLES_MS);
  await streamPcm((b) => client.sendAudio(b), silence(300), { speed: 1 });
  return client;
}

describe('adaptive endpointing: a finished question', () => {
  const env = useGatewayWithLlm({ text: 'It shipped.' }, { asrPhrase: 'Where is my order?', turns: TURNS, vad: { minSilenceMs: 800 } });

  test('ends after the short window, before the base window would have', async () => {
    const client = await speakThenPause(env.gateway.wsUrl);
    const final = await client.next('asr_final', { timeoutMs: 10_000 });
    assert.equal(final.text, 'Where is my order?');
    await client.close();
  });
});

describe('adaptive endpointing: a trailing "and um"', () => {
  const env = useGatewayWithLlm({ text: 'Go on.' }, { asrPhrase: 'I wanted to ask about my order and um', turns: TURNS, vad: { minSilenceMs: 800 } });

  test('waits longer than the base window, then ends after the long one', async () => {
    const client = await speakThenPause(env.gateway.wsUrl);
    await sleep(1_000);
    assert.deepEqual(client.messages('asr_final'), [], '600 ms of silence after "and um" does not end the turn');
    assert.equal(client.messages('vad').filter((m) => m.state === 'speech_end').length, 0);
    await streamPcm((b) => client.sendAudio(b), silence(2_500), { speed: 1 });
    const final = await client.next('asr_final', { timeoutMs: 10_000 });
    assert.equal(final.text, 'I wanted to ask about my order and um');
    await client.close();
  });
});

describe('adaptive endpointing with the LiveKit turn detector (a generated model of its signature)', () => {
  let dir: string;
  let model: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'turn-detector-'));
    model = await writeTestTurnDetector(dir);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  // The text rules would end this after 200 ms (it ends with a full stop); the model knows a dictated number goes on.
  const env = useGatewayWithLlm({ text: 'Go on.' }, () => ({
    asrPhrase: 'My number is 555 0123.',
    turns: TURNS,
    vad: { minSilenceMs: 800 },
    turnDetector: { engine: 'livekit', model },
  }));

  test('the model holds the turn open past the base window where the rules would have ended it', async () => {
    const client = await speakThenPause(env.gateway.wsUrl);
    await sleep(1_000);
    assert.deepEqual(client.messages('asr_final'), [], '600 ms of silence after a dictated number does not end the turn');
    await streamPcm((b) => client.sendAudio(b), silence(2_500), { speed: 1 });
    const final = await client.next('asr_final', { timeoutMs: 10_000 });
    assert.equal(final.text, 'My number is 555 0123.');
    await client.close();
  });
});

describe('semantic endpointing asked by a v1 session, with the gateway\'s adaptive endpointing off', () => {
  const env = useGatewayWithLlm({ text: 'Go on.' }, { asrPhrase: 'I wanted to ask about my order and um', turns: { speculativeAfterMs: 100 }, vad: { minSilenceMs: 800 } });

  test('eagerness high: a trailing "and um" is waited for past the 800 ms window, up to 2 s', async () => {
    const client = await speakThenPause(env.gateway.wsUrl, { endpointing: 'semantic', eagerness: 'high' });
    await streamPcm((b) => client.sendAudio(b), silence(900), { speed: 1 });
    await sleep(500);
    assert.deepEqual(client.messages('asr_final'), [], '1.5 s of silence after "and um" does not end the turn');
    await streamPcm((b) => client.sendAudio(b), silence(1_000), { speed: 1 });
    const final = await client.next('asr_final', { timeoutMs: 10_000 });
    assert.equal(final.text, 'I wanted to ask about my order and um');
    await client.close();
  });
});
