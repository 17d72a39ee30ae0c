import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { z } from 'zod';
import { startTestGateway, TEST_TRANSCRIPT, type TestGateway } from '../../../test/support/gateway.ts';
import { FIXTURES_DIR } from '../../../test/support/wav.ts';

const KEY = 'seed-004-key';
const headers = { authorization: `Bearer ${KEY}` };
const recording = readFileSync(`${FIXTURES_DIR}order-status-en.opus.ogg`);

// The shapes of seed 004's guide ("Voice Chat Integration"), as its clients read them.
const transcription = z.object({ text: z.string(), language: z.string(), confidence: z.null(), duration_seconds: z.number(), model: z.string() });
const synthesis = z.object({ audio_base64: z.string(), audio_sample_rate: z.number(), audio_duration_seconds: z.number(), voice: z.string(), speed: z.number() });
const voices = z.object({ voices: z.array(z.string()), default_voice: z.string(), service: z.string() });
const health = z.object({ status: z.string(), sst_service: z.string(), tts_service: z.string(), sst_healthy: z.boolean(), tts_healthy: z.boolean() });

describe('seed 004 (Voice Chat Integration): /api/voice/* and its WebSocket chat', () => {
  let gateway: TestGateway;
  let base: string;
  before(async () => {
    gateway = await startTestGateway({ server: { apiKeys: [KEY] } });
    base = `${gateway.url}/api/voice`;
  });
  after(() => gateway.close());

  test('POST /transcribe takes the curl form (file + language)', async () => {
    const form = new FormData();
    form.append('file', new Blob([recording]), 'audio.ogg');
    form.append('language', 'en');
    const response = await fetch(`${base}/transcribe`, { method: 'POST', headers, body: form });
    assert.equal(response.status, 200);
    const body = transcription.parse(await response.json());
    assert.equal(body.text, TEST_TRANSCRIPT);
    assert.equal(body.language, 'en');
    assert.ok(Math.abs(body.duration_seconds - 2.85) < 0.1);
  });

  test('POST /transcribe also takes the browser example’s JSON with audio_base64, sent without a content type', async () => {
    const response = await fetch(`${base}/transcribe`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ audio_base64: recording.toString('base64'), language: 'en' }),
    });
    assert.equal(response.status, 200);
    assert.equal(transcription.parse(await response.json()).text, TEST_TRANSCRIPT);
  });

  test('POST /synthesize answers base64 WAV with its rate and duration; /audio-stream the WAV itself', async () => {
    const response = await fetch(`${base}/synthesize`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Hello, this is a test', voice: 'test-voice', lang_code: 'a', speed: 1.0 }),
    });
    assert.equal(response.status, 200);
    const body = synthesis.parse(await response.json());
    const wav = Buffer.from(body.audio_base64, 'base64');
    assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
    assert.equal(wav.readUInt32LE(24), body.audio_sample_rate);
    assert.ok(Math.abs((wav.length - 44) / 2 / body.audio_sample_rate - body.audio_duration_seconds) < 0.01);
    assert.deepEqual([body.voice, body.speed], ['test-voice', 1]);

    const stream = await fetch(`${base}/audio-stream`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Hello world', voice: 'test-voice' }),
    });
    assert.equal(stream.headers.get('content-type'), 'audio/wav');
    assert.equal(Buffer.from(await stream.arrayBuffer()).toString('ascii', 8, 12), 'WAVE');
  });

  test('GET /voices and /health in the seed’s shapes', async () => {
    const list = voices.parse(await (await fetch(`${base}/voices`, { headers })).json());
    assert.equal(list.default_voice, 'test-voice');
    const status = health.parse(await (await fetch(`${base}/health`, { headers })).json());
    assert.deepEqual([status.status, status.sst_healthy, status.tts_healthy], ['healthy', true, true]);
  });

  test('a missing key is 401; a bad request is a 4xx with FastAPI’s detail', async () => {
    assert.equal((await fetch(`${base}/voices`)).status, 401);
    const bad = await fetch(`${base}/synthesize`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"voice":"af_heart"}' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { detail: string }).detail, /^text:/);
  });

  test('WS /ws/chat: transcribe, synthesize and ping in order; a bad message gets an error and the socket stays', async () => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws/chat`, { headers });
    const received: { type: string; [key: string]: unknown }[] = [];
    ws.on('message', (data: Buffer) => received.push(JSON.parse(data.toString('utf8')) as { type: string }));
    await once(ws, 'open');
    ws.send(JSON.stringify({ type: 'transcribe', audio_base64: recording.toString('base64'), language: 'en' }));
    ws.send(JSON.stringify({ type: 'synthesize', text: 'Hello, this is a test', voice: 'test-voice', lang_code: 'a', speed: 1.0 }));
    ws.send(JSON.stringify({ type: 'dance' }));
    ws.send(JSON.stringify({ type: 'ping' }));
    const deadline = Date.now() + 60_000;
    while (received.length < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(received.map((m) => m.type), ['transcription', 'audio', 'error', 'pong']);
    assert.equal(received[0]?.text, TEST_TRANSCRIPT);
    assert.ok(Buffer.from(String(received[1]?.audio_base64), 'base64').toString('ascii', 0, 4) === 'RIFF');
    assert.ok(Number(received[1]?.duration_seconds) > 0);
    assert.equal(received[2]?.code, 'invalid_message');
    assert.equal(ws.readyState, WebSocket.OPEN);
    ws.close();
  });
});
