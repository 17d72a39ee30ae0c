import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocketServer } from 'ws';
import { JSON_SCHEMA_PATH, renderJsonSchema } from '../src/transports/v1/json-schema.ts';
import { clientMessageSchema } from '../src/transports/v1/messages.ts';
import { S2SClient } from './index.js';

test('the published JSON Schema is the one generated from the gateway\'s schemas (npm run protocol-schema)', () => {
  assert.equal(readFileSync(JSON_SCHEMA_PATH, 'utf8'), renderJsonSchema());
});

test('every message the client library sends parses with the gateway\'s own schema', async () => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const frames: unknown[] = [];
  server.on('connection', (socket) => {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      const message = JSON.parse(data.toString());
      frames.push(message);
      if (message.type === 'session_start') socket.send(JSON.stringify({ type: 'session_started', session_id: 'session-1234', resumed: false, lang: 'en', audio_out: { sample_rate: 48_000, format: 'pcm16', channels: 1 } }));
    });
  });
  const { port } = server.address() as AddressInfo;
  const client = new S2SClient({
    url: `ws://127.0.0.1:${port}/ws/s2s`,
    mode: 'push-to-talk',
    keepAliveMs: 10,
    session: { lang: 'de', voice: 'v', audio: { sample_rate: 48_000, format: 'pcm16', channels: 1 }, audio_out: { sample_rate: 48_000 }, tts: { length_scale: 1.1 } },
  });
  await client.connect();
  client.startTalking();
  client.stopTalking();
  client.text('hello');
  client.interrupt();
  client.reportPlayback('turn-1', 1234.6);
  await new Promise((r) => setTimeout(r, 50));
  client.close();
  server.close();

  const types = new Set(frames.map((f) => (f as { type: string }).type));
  assert.deepEqual([...types].sort(), ['audio_end', 'interrupt', 'ping', 'playback', 'session_start', 'text_input']);
  for (const frame of frames) assert.ok(clientMessageSchema.safeParse(frame).success, JSON.stringify(frame));
  assert.deepEqual(frames.find((f) => (f as { type: string }).type === 'playback'), { type: 'playback', turn_id: 'turn-1', played_ms: 1235 });
});
