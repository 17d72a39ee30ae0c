import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { z } from 'zod';
import { startTestGateway, TEST_TRANSCRIPT, type TestGateway } from '../../../test/support/gateway.ts';
import { FIXTURES_DIR, readWav, streamPcm } from '../../../test/support/wav.ts';

const KEY = 'seed-002-key';
const headers = { authorization: `Bearer ${KEY}` };

// The shapes of seed 002's README ("TTS Server"), as its clients read them.
const transcriptMessage = z.strictObject({ type: z.literal('transcript'), text: z.string(), duration: z.number(), keep_open: z.boolean() });
const bufferLimitMessage = z.strictObject({ type: z.literal('buffer_limit_reached'), duration: z.number() });
const voicesResponse = z.strictObject({ voices: z.array(z.string()), default: z.string() });

function messages(ws: WebSocket): unknown[] {
  const received: unknown[] = [];
  ws.on('message', (data: Buffer) => received.push(JSON.parse(data.toString('utf8'))));
  return received;
}

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('seed 002 (TTS Server): /ws/stt, POST /tts, GET /voices', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startTestGateway({ server: { apiKeys: [KEY] }, limits: { maxBufferedAudioMs: 300 } });
  });
  after(() => gateway.close());

  test('/ws/stt: binary PCM16 16 kHz in, a transcript {text, duration, keep_open} per utterance out', async () => {
    const ws = new WebSocket(`${gateway.url.replace(/^http/, 'ws')}/ws/stt`, { headers });
    const received = messages(ws);
    await once(ws, 'open');
    // Paced like a microphone: the 300 ms input buffer of this gateway is never outrun.
    await streamPcm((bytes) => ws.send(bytes), readWav(`${FIXTURES_DIR}order-status-en-16k.wav`), { speed: 1, silenceMs: 1_200 });
    await until(() => received.some((m) => (m as { type?: string }).type === 'transcript'));
    const transcript = transcriptMessage.parse(received.find((m) => (m as { type?: string }).type === 'transcript'));
    assert.equal(transcript.text, TEST_TRANSCRIPT);
    assert.equal(transcript.keep_open, true);
    assert.ok(transcript.duration > 1.5 && transcript.duration < 4, `duration ${transcript.duration}`);
    assert.equal(ws.readyState, WebSocket.OPEN);
    ws.close();
  });

  test('/ws/stt: audio sent faster than it is processed gets buffer_limit_reached', async () => {
    const ws = new WebSocket(`${gateway.url.replace(/^http/, 'ws')}/ws/stt`, { headers });
    const received = messages(ws);
    await once(ws, 'open');
    const wav = readWav(`${FIXTURES_DIR}order-status-en-16k.wav`);
    for (let i = 0; i < 5; i++) await streamPcm((bytes) => ws.send(bytes), wav, { speed: Infinity });
    await until(() => received.some((m) => (m as { type?: string }).type === 'buffer_limit_reached'));
    const limit = bufferLimitMessage.parse(received.find((m) => (m as { type?: string }).type === 'buffer_limit_reached'));
    assert.equal(limit.duration, 0.3);
    ws.close();
  });

  test('/ws/stt needs the API key', async () => {
    const ws = new WebSocket(`${gateway.url.replace(/^http/, 'ws')}/ws/stt`);
    const [, response] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
    assert.equal(response.statusCode, 401);
  });

  test('POST /tts answers a WAV of the requested voice; an unknown voice is a 400 with FastAPI’s detail', async () => {
    const response = await fetch(`${gateway.url}/tts`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Hello world', voice: 'test-voice' }),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'audio/wav');
    const wav = Buffer.from(await response.arrayBuffer());
    assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
    assert.ok(wav.length > 44 + 1000);

    const unknown = await fetch(`${gateway.url}/tts`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Hello world', voice: 'en_US-kusal-medium' }),
    });
    assert.equal(unknown.status, 400);
    assert.match(((await unknown.json()) as { detail: string }).detail, /no voice named "en_US-kusal-medium"; voices: test-voice/);
  });

  test('GET /voices lists the voices and the default', async () => {
    const response = await fetch(`${gateway.url}/voices`, { headers });
    const body = voicesResponse.parse(await response.json());
    assert.equal(body.default, 'test-voice');
    assert.ok(body.voices.includes('test-voice'));
  });
});
