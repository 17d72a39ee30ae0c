import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import wavefile from 'wavefile';
import { DEFAULT_SPEAKERS, expectedSamples, startXttsServer, XTTS_V2_LANGUAGES, type SpeakerLatents } from './xtts-server.ts';

const server = await startXttsServer();
after(() => server.close());

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function latentsOf(name: string): Promise<SpeakerLatents> {
  const speakers = (await (await fetch(`${server.url}/studio_speakers`)).json()) as Record<string, SpeakerLatents>;
  const latents = speakers[name];
  assert.ok(latents);
  return latents;
}

test('GET /languages lists XTTS v2 languages and GET /studio_speakers gives latents of the real shapes', async () => {
  assert.deepEqual(await (await fetch(`${server.url}/languages`)).json(), XTTS_V2_LANGUAGES);
  const speakers = (await (await fetch(`${server.url}/studio_speakers`)).json()) as Record<string, SpeakerLatents>;
  assert.deepEqual(Object.keys(speakers), DEFAULT_SPEAKERS);
  for (const latents of Object.values(speakers)) {
    assert.equal(latents.speaker_embedding.length, 512);
    assert.equal(latents.gpt_cond_latent.length, 32);
    assert.ok(latents.gpt_cond_latent.every((row) => row.length === 1024));
  }
});

test('POST /tts_stream sends a WAV header first unless add_wav_header is false, then the text-length tone', async () => {
  const latents = await latentsOf('Ana Florence');
  const text = 'Hello there.';
  const withHeader = Buffer.from(await (await post('/tts_stream', { text, language: 'en', ...latents })).arrayBuffer());
  assert.equal(withHeader.subarray(0, 4).toString('ascii'), 'RIFF');
  assert.equal(withHeader.readUInt32LE(24), 24_000);
  const response = await post('/tts_stream', { text, language: 'en', add_wav_header: false, stream_chunk_size: '20', ...latents });
  assert.equal(response.headers.get('content-type'), 'audio/wav');
  const raw = Buffer.from(await response.arrayBuffer());
  assert.deepEqual(raw, withHeader.subarray(44));
  assert.deepEqual(new Int16Array(raw.buffer, raw.byteOffset, raw.length / 2), expectedSamples(text));
});

test('bodies the real server rejects get a 422 with a FastAPI detail', async () => {
  const latents = await latentsOf('Ana Florence');
  for (const body of [
    { text: 'Hi.', language: 'sv', ...latents },
    { text: 'Hi.', language: 'en', speaker_embedding: latents.speaker_embedding },
    { text: 'Hi.', language: 'en', stream_chunk_size: 20, ...latents },
  ]) {
    const response = await post('/tts_stream', body);
    assert.equal(response.status, 422);
    assert.ok(Array.isArray(((await response.json()) as { detail: unknown }).detail));
  }
});

test('POST /tts answers a JSON string holding a base64 WAV of the same tone', async () => {
  const text = 'Hi.';
  const encoded = (await (await post('/tts', { text, language: 'en', ...(await latentsOf('Claribel Dervla')) })).json()) as string;
  const wav = new wavefile.WaveFile(Buffer.from(encoded, 'base64'));
  assert.equal((wav.fmt as { sampleRate: number }).sampleRate, 24_000);
  assert.deepEqual(Int16Array.from(wav.getSamples(false, Int16Array) as unknown as Int16Array), expectedSamples(text));
});

test('the scripted failure, hang and client hang-up are what the stand-in does and records', async () => {
  const latents = await latentsOf('Ana Florence');
  server.setScript({ httpStatus: 500 });
  assert.equal((await post('/tts_stream', { text: 'Hi.', language: 'en', ...latents })).status, 500);
  server.setScript({ hang: true });
  const controller = new AbortController();
  const received = server.nextRequest('/tts_stream');
  const hung = fetch(`${server.url}/tts_stream`, { method: 'POST', body: JSON.stringify({ text: 'Hi.', language: 'en', ...latents }), signal: controller.signal });
  const request = await received;
  controller.abort();
  await assert.rejects(hung, { name: 'AbortError' });
  assert.equal(await request.ended, 'client-closed');
  server.setScript({});
});
