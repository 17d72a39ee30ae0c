import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { decodeAudio } from '../../audio/decode/decode-audio.ts';
import { startTestGateway, TEST_TRANSCRIPT, type TestGateway } from '../../../test/support/gateway.ts';
import { FIXTURES_DIR } from '../../../test/support/wav.ts';
import { webmFromOggOpus } from '../../../test/support/webm-from-ogg-opus.ts';

const KEY = 'openai-key';
const fixture = (name: string) => readFileSync(join(FIXTURES_DIR, name));

/** The official `openai` client against a gateway with real whisper.cpp and Piper on the generated test models. */
describe('the OpenAI audio API, spoken to by the official openai client', () => {
  let gateway: TestGateway;
  let client: OpenAI;
  before(async () => {
    gateway = await startTestGateway({ server: { apiKeys: [KEY] }, speechApi: { maxUploadBytes: 600_000, maxAudioSeconds: 20 } });
    client = new OpenAI({ apiKey: KEY, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 60_000 });
  });
  after(() => gateway.close());

  test('transcribes a WAV as json, text and verbose_json', async () => {
    const file = () => toFile(fixture('order-status-en-16k.wav'), 'order.wav', { type: 'audio/wav' });
    const json = await client.audio.transcriptions.create({ file: await file(), model: 'whisper-1' });
    assert.equal(json.text, TEST_TRANSCRIPT);

    const text = await client.audio.transcriptions.create({ file: await file(), model: 'whisper-1', response_format: 'text' });
    assert.equal(text.trim(), TEST_TRANSCRIPT);

    const verbose = await client.audio.transcriptions.create({
      file: await file(),
      model: 'whisper-1',
      language: 'en',
      response_format: 'verbose_json',
      timestamp_granularities: ['segment'],
    });
    assert.equal(verbose.text, TEST_TRANSCRIPT);
    assert.equal(verbose.language, 'english');
    assert.ok(Math.abs(verbose.duration - 2.85) < 0.05, `duration ${verbose.duration}`);
    assert.equal(verbose.segments?.length, 1);
    assert.deepEqual([verbose.segments?.[0]?.start, verbose.segments?.[0]?.text], [0, TEST_TRANSCRIPT]);
  });

  test('streams a transcription as transcript.text.delta events and a transcript.text.done', async () => {
    const stream = await client.audio.transcriptions.create({
      file: await toFile(fixture('order-status-en-16k.wav'), 'order.wav'),
      model: 'gpt-4o-mini-transcribe',
      stream: true,
    });
    const events: OpenAI.Audio.TranscriptionStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    assert.deepEqual(events.map((e) => e.type), ['transcript.text.delta', 'transcript.text.done']);
    const [delta, done] = events;
    assert.equal(delta?.type === 'transcript.text.delta' && delta.delta, TEST_TRANSCRIPT);
    assert.equal(done?.type === 'transcript.text.done' && done.text, TEST_TRANSCRIPT);
  });

  test('srt and vtt give timed cues', async () => {
    const file = () => toFile(fixture('order-status-en-16k.wav'), 'order.wav');
    const srt = await client.audio.transcriptions.create({ file: await file(), model: 'whisper-1', response_format: 'srt' });
    assert.equal(srt, `1\n00:00:00,000 --> 00:00:02,849\n${TEST_TRANSCRIPT}\n`);
    const vtt = await client.audio.transcriptions.create({ file: await file(), model: 'whisper-1', response_format: 'vtt' });
    assert.equal(vtt, `WEBVTT\n\n00:00:00.000 --> 00:00:02.849\n${TEST_TRANSCRIPT}\n`);
  });

  test('reads what browsers and phones record: Ogg Opus, WebM Opus, Ogg Vorbis, MP3, FLAC, 48 kHz stereo WAV', async () => {
    const files: [string, Uint8Array][] = [
      ['order.ogg', fixture('order-status-en.opus.ogg')],
      ['order.webm', webmFromOggOpus(fixture('order-status-en.opus.ogg'))],
      ['order.oga', fixture('order-status-en.vorbis.ogg')],
      ['order.mp3', fixture('order-status-en.mp3')],
      ['order.flac', fixture('order-status-en.flac')],
      ['order-48k.wav', fixture('order-status-en-48k-stereo.wav')],
    ];
    for (const [name, bytes] of files) {
      const verbose = await client.audio.transcriptions.create({ file: await toFile(bytes, name), model: 'whisper-1', response_format: 'verbose_json' });
      assert.equal(verbose.text, TEST_TRANSCRIPT, name);
      assert.ok(Math.abs(verbose.duration - 2.85) < 0.15, `${name}: duration ${verbose.duration}`);
    }
  });

  test('refuses other formats with 415 naming the accepted ones, and too large or too long audio with 413', async () => {
    const unsupported = await client.audio.transcriptions
      .create({ file: await toFile(Buffer.from('%PDF-1.7 not audio at all'), 'a.pdf'), model: 'whisper-1' })
      .then(() => assert.fail('accepted a PDF'), (err: unknown) => err);
    assert.ok(unsupported instanceof OpenAI.APIError);
    assert.equal(unsupported.status, 415);
    assert.equal(unsupported.code, 'unsupported_audio');
    assert.match(unsupported.message, /accepted: wav, ogg \(opus, vorbis\), webm \(opus\), mp3, flac/);

    const large = await client.audio.transcriptions
      .create({ file: await toFile(Buffer.concat([fixture('order-status-en-48k-stereo.wav'), Buffer.alloc(100_000)]), 'big.wav'), model: 'whisper-1' })
      .then(() => assert.fail('accepted an upload over the limit'), (err: unknown) => err);
    assert.ok(large instanceof OpenAI.APIError);
    assert.deepEqual([large.status, large.code], [413, 'audio_too_large']);

    // 21 s of silence at 8 kHz: small, but longer than the 20 s allowed, refused from its header.
    const long = Buffer.concat([wavHeader8k(21 * 8000), Buffer.alloc(21 * 8000)]);
    const tooLong = await client.audio.transcriptions
      .create({ file: await toFile(long, 'long.wav'), model: 'whisper-1' })
      .then(() => assert.fail('accepted audio over the limit'), (err: unknown) => err);
    assert.ok(tooLong instanceof OpenAI.APIError);
    assert.deepEqual([tooLong.status, tooLong.code], [413, 'audio_too_long']);
  });

  test('errors have OpenAI’s shape: a wrong key is 401, an unknown model 404', async () => {
    const wrongKey = new OpenAI({ apiKey: 'wrong', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const unauthorized = await wrongKey.models.list().then(() => assert.fail('listed models without a key'), (err: unknown) => err);
    assert.ok(unauthorized instanceof OpenAI.AuthenticationError);
    assert.equal(unauthorized.type, 'authentication_error');

    const unknown = await client.audio.speech
      .create({ model: 'no-such-model', input: 'hi', voice: 'alloy' })
      .then(() => assert.fail('spoke with an unknown model'), (err: unknown) => err);
    assert.ok(unknown instanceof OpenAI.NotFoundError);
    assert.equal(unknown.code, 'unknown_model');
  });

  test('lists the recogniser and the voices as models', async () => {
    const models = await client.models.list();
    const ids = models.data.map((m) => m.id);
    assert.ok(ids.includes('test-voice'), ids.join());
    assert.ok(ids.length >= 2);
    assert.ok(models.data.every((m) => m.object === 'model' && m.owned_by === 's2s-gateway'));
  });

  test('synthesises speech as WAV and as 24 kHz PCM, the same length of audio', async () => {
    const wav = Buffer.from(await (await client.audio.speech.create({ model: 'tts-1', input: 'Your order has shipped. It arrives tomorrow.', voice: 'alloy', response_format: 'wav' })).arrayBuffer());
    assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
    assert.equal(wav.toString('ascii', 8, 12), 'WAVE');
    const rate = wav.readUInt32LE(24);
    const wavSeconds = (wav.length - 44) / 2 / rate;
    // The generated test voice speaks about 0.1 s per phrase.
    assert.ok(wavSeconds > 0.15, `${wavSeconds} s of speech`);
    assert.ok(wav.subarray(44).some((b) => b !== 0), 'the audio is not silence');

    const response = await client.audio.speech.create({ model: 'tts-1', input: 'Your order has shipped. It arrives tomorrow.', voice: 'test-voice', response_format: 'pcm' });
    assert.equal(response.headers.get('content-type'), 'audio/pcm');
    const pcm = Buffer.from(await response.arrayBuffer());
    const pcmSeconds = pcm.length / 2 / 24_000;
    assert.ok(Math.abs(pcmSeconds - wavSeconds) < 0.05, `pcm ${pcmSeconds} s, wav ${wavSeconds} s`);
  });

  test('streams speech phrase by phrase: audio chunks arrive before the response ends, and as speech.audio.delta events', async () => {
    const response = await client.audio.speech.create({
      model: 'tts-1',
      input: 'Thanks for waiting. Your order left the warehouse this morning. It should arrive tomorrow before noon.',
      voice: 'test-voice',
      response_format: 'pcm',
    });
    let chunks = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) if (chunk.length > 0) chunks++;
    assert.ok(chunks >= 2, `${chunks} chunks`);

    const sse = await client.audio.speech.create({ model: 'tts-1', input: 'One. Two three four.', voice: 'test-voice', response_format: 'pcm', stream_format: 'sse' });
    assert.equal(sse.headers.get('content-type'), 'text/event-stream');
    const events = (await sse.text()).split('\n\n').filter(Boolean).map((e) => JSON.parse(e.replace(/^data: /, '')) as { type: string; audio?: string });
    assert.ok(events.length >= 2);
    assert.ok(events.slice(0, -1).every((e) => e.type === 'speech.audio.delta' && Buffer.from(e.audio ?? '', 'base64').length > 0));
    assert.equal(events.at(-1)?.type, 'speech.audio.done');
  });

  test('synthesises MP3 by default, as OpenAI does, the same length of speech as the WAV', async () => {
    const input = 'Your order has shipped. It arrives tomorrow.';
    const response = await client.audio.speech.create({ model: 'tts-1', input, voice: 'alloy' });
    assert.equal(response.headers.get('content-type'), 'audio/mpeg');
    const mp3 = await decodeAudio(Buffer.from(await response.arrayBuffer()), 60);
    assert.equal(mp3.container, 'mp3');
    const wav = Buffer.from(await (await client.audio.speech.create({ model: 'tts-1', input, voice: 'alloy', response_format: 'wav' })).arrayBuffer());
    // A streamed WAV's header cannot know its length: the bytes after it can.
    const wavSeconds = (wav.length - 44) / 2 / wav.readUInt32LE(24);
    // MP3 adds under 0.1 s of encoder delay and padding.
    assert.ok(Math.abs(mp3.durationSeconds - wavSeconds) < 0.1, `mp3 ${mp3.durationSeconds} s, wav ${wavSeconds} s`);
    assert.ok(mp3.samples16k.some((s) => Math.abs(s) > 1_000), 'the audio is not silence');
  });

  test('a response_format it cannot encode is a 400 naming the ones it can', async () => {
    const err = await client.audio.speech
      .create({ model: 'tts-1', input: 'hi', voice: 'alloy', response_format: 'opus' })
      .then(() => assert.fail('answered opus'), (e: unknown) => e);
    assert.ok(err instanceof OpenAI.BadRequestError);
    assert.match(err.message, /mp3, wav and pcm/);
  });
});

function wavHeader8k(samples: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + samples, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(samples, 40);
  return header;
}
