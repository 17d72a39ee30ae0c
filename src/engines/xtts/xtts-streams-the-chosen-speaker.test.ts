import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../core/errors.ts';
import { DEFAULT_SPEAKERS, expectedSamples, startXttsServer } from '../../../test/support/xtts-server.ts';
import type { SynthesisOptions } from '../../contracts/tts.ts';
import { XttsSynthesizer } from './xtts-synthesizer.ts';

const server = await startXttsServer();
const synthesizer = await XttsSynthesizer.load({ url: `${server.url}/`, speaker: 'Daisy Studious', timeoutMs: 5000 });
after(async () => {
  await synthesizer.close();
  await server.close();
});

async function speak(text: string, options: Partial<SynthesisOptions> = {}): Promise<Int16Array[]> {
  const chunks: Int16Array[] = [];
  for await (const chunk of synthesizer.synthesize(text, { signal: new AbortController().signal, ...options })) chunks.push(chunk);
  return chunks;
}

function joined(chunks: Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function lastStreamBody(): Record<string, unknown> {
  const request = server.requests.findLast((r) => r.path === '/tts_stream');
  assert.ok(request?.body);
  return request.body;
}

test('load names the speaker, lists the studio speakers and speaks at 24 kHz', () => {
  assert.equal(synthesizer.name, 'xtts:Daisy Studious');
  assert.deepEqual(synthesizer.speakers, DEFAULT_SPEAKERS);
  assert.equal(synthesizer.sampleRateHz, 24_000);
  assert.deepEqual(server.requests.slice(0, 2).map((r) => `${r.method} ${r.path}`), ['GET /languages', 'GET /studio_speakers']);
});

test("each phrase sends the chosen speaker's latents and asks for raw PCM in the default language", async () => {
  const text = 'Your order shipped yesterday.';
  assert.deepEqual(joined(await speak(text)), expectedSamples(text));
  const body = lastStreamBody();
  assert.equal(body['text'], text);
  assert.equal(body['language'], 'en');
  assert.equal(body['add_wav_header'], false);
  assert.deepEqual(body['speaker_embedding'], server.speakers['Daisy Studious']?.speaker_embedding);
  assert.deepEqual(body['gpt_cond_latent'], server.speakers['Daisy Studious']?.gpt_cond_latent);
});

test('audio streams as several chunks and samples split across network chunks are rebuilt exactly', async () => {
  server.setScript({ chunkBytes: 1001, chunkDelayMs: 2 });
  const text = 'A longer answer, streamed in odd-sized pieces.';
  const chunks = await speak(text);
  server.setScript({});
  assert.ok(chunks.length > 5, `only ${chunks.length} chunks`);
  assert.deepEqual(joined(chunks), expectedSamples(text));
});

test('the session language goes with the phrase, mapped to the code the server lists', async () => {
  await speak('Guten Tag.', { language: 'de-DE' });
  assert.equal(lastStreamBody()['language'], 'de');
  await speak('你好。', { language: 'zh' });
  assert.equal(lastStreamBody()['language'], 'zh-cn');
});

test('a language the server lacks, or auto before one is heard, is spoken in the fallback language', async () => {
  const german = await XttsSynthesizer.load({ url: server.url, speaker: 'Daisy Studious', fallbackLanguage: 'de', timeoutMs: 5000 });
  try {
    for (const language of ['sv', 'auto', undefined]) {
      const text = `Hej ${language}.`;
      const chunks: Int16Array[] = [];
      for await (const chunk of german.synthesize(text, { signal: new AbortController().signal, language })) chunks.push(chunk);
      assert.deepEqual(joined(chunks), expectedSamples(text), `${language}: no audio`);
      assert.equal(lastStreamBody()['language'], 'de', String(language));
    }
  } finally {
    await german.close();
  }
});

test('a named speaker selects another studio speaker, and one out of range fails with tts_failed', async () => {
  await speak('Hello.', { speaker: 'Ana Florence' });
  assert.deepEqual(lastStreamBody()['speaker_embedding'], server.speakers['Ana Florence']?.speaker_embedding);
  assert.deepEqual(lastStreamBody()['gpt_cond_latent'], server.speakers['Ana Florence']?.gpt_cond_latent);
  await assert.rejects(speak('Hello.', { speaker: 3 }), (err) => err instanceof GatewayError && err.code === 'tts_failed');
});

test('empty text yields nothing without asking the server', async () => {
  const before = server.requests.length;
  assert.deepEqual(await speak('  '), []);
  assert.equal(server.requests.length, before);
});
