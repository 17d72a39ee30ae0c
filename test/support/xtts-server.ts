/**
 * A Coqui XTTS v2 streaming server (coqui-ai/xtts-streaming-server) for tests. It stands in only because no XTTS
 * weights or GPU exist on the build machines; it speaks the real wire format: GET /languages (a JSON list),
 * GET /studio_speakers (name -> speaker_embedding and gpt_cond_latent), POST /tts_stream (raw PCM16 at 24 kHz,
 * a 44-byte WAV header first unless `add_wav_header` is false), POST /tts (a JSON string holding a base64 WAV),
 * and 422 for a body the real server's schema rejects. Its audio is a tone whose length follows the text, so
 * tests can check every sample, and it records what clients send and when they hang up.
 */
import { wavHeader } from '../../src/transports/speech-api/wav.ts';
import { closeServerNow, readBody, sendJson } from './http.ts';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const XTTS_SAMPLE_RATE_HZ = 24_000;
/** Audio the stand-in speaks per character of text. */
export const MS_PER_CHARACTER = 10;
/** The languages XTTS v2's config lists. */
export const XTTS_V2_LANGUAGES = ['en', 'es', 'fr', 'de', 'it', 'pt', 'pl', 'tr', 'ru', 'nl', 'cs', 'ar', 'zh-cn', 'hu', 'ko', 'ja', 'hi'];

export interface SpeakerLatents {
  speaker_embedding: number[];
  gpt_cond_latent: number[][];
}

/** What the stand-in does with one synthesis request. */
export interface XttsScript {
  /** Bytes per network chunk; odd sizes split samples across chunks. Defaults to 4800 (100 ms). */
  chunkBytes?: number;
  /** Delay before the first audio chunk (after the response headers). */
  firstChunkDelayMs?: number;
  /** Delay between two audio chunks. */
  chunkDelayMs?: number;
  /** Answer with this HTTP status and a FastAPI-style error body instead. */
  httpStatus?: number;
  /** Accept the request and never answer. */
  hang?: boolean;
  /** Send this many chunks, then nothing more while keeping the connection open. */
  hangAfterChunks?: number;
}

export type ExchangeOutcome = 'completed' | 'client-closed' | 'server-closed';

export interface RecordedXttsRequest {
  index: number;
  method: string;
  path: string;
  /** The parsed JSON body of a POST; undefined for a GET. */
  body: Record<string, unknown> | undefined;
  /** How the exchange ended: sent in full, the client hung up first, or `close()` cut it. */
  outcome?: ExchangeOutcome;
  /** Resolves with `outcome` once the exchange is over. */
  ended: Promise<ExchangeOutcome>;
}

export interface XttsServer {
  url: string;
  requests: RecordedXttsRequest[];
  speakers: Record<string, SpeakerLatents>;
  /** Resolves with the next request to `path` once its body has been read. */
  nextRequest(path: string): Promise<RecordedXttsRequest>;
  setScript(script: XttsScript): void;
  close(): Promise<void>;
}

export interface XttsServerOptions {
  /** Defaults to three speakers with distinct, deterministic latents of XTTS v2's shapes. */
  speakers?: Record<string, SpeakerLatents>;
  languages?: string[];
  script?: XttsScript;
}

/** The PCM16 samples the stand-in speaks for `text`: a 440 Hz tone, MS_PER_CHARACTER per character. */
export function expectedSamples(text: string): Int16Array {
  const count = Math.round((text.length * MS_PER_CHARACTER * XTTS_SAMPLE_RATE_HZ) / 1000);
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / XTTS_SAMPLE_RATE_HZ));
  return samples;
}

/** Latents shaped like XTTS v2's (a 512-value embedding, 32 x 1024 conditioning latents), derived from `seed`. */
export function fakeLatents(seed: number): SpeakerLatents {
  const value = (i: number) => Math.round(Math.sin(seed * 7919 + i) * 1000) / 1000;
  return {
    speaker_embedding: Array.from({ length: 512 }, (_, i) => value(i)),
    gpt_cond_latent: Array.from({ length: 32 }, (_, row) => Array.from({ length: 1024 }, (_, i) => value(10_000 + row * 1024 + i))),
  };
}

export const DEFAULT_SPEAKERS = ['Claribel Dervla', 'Daisy Studious', 'Ana Florence'];

export async function startXttsServer(options: XttsServerOptions = {}): Promise<XttsServer> {
  const speakers = options.speakers ?? Object.fromEntries(DEFAULT_SPEAKERS.map((name, i) => [name, fakeLatents(i + 1)]));
  const languages = options.languages ?? XTTS_V2_LANGUAGES;
  let script: XttsScript = options.script ?? {};
  let closing = false;
  const requests: RecordedXttsRequest[] = [];
  const waiters: Array<{ path: string; resolve: (request: RecordedXttsRequest) => void }> = [];

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
    const route = `${req.method ?? ''} ${path}`;
    if (route === 'GET /languages') {
      record(req, res, path, undefined);
      sendJson(res, 200, languages);
      return;
    }
    if (route === 'GET /studio_speakers') {
      record(req, res, path, undefined);
      sendJson(res, 200, speakers);
      return;
    }
    if (route !== 'POST /tts_stream' && route !== 'POST /tts') {
      sendJson(res, 404, { detail: 'Not Found' });
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    } catch {
      sendJson(res, 422, { detail: [{ type: 'json_invalid', loc: ['body'], msg: 'JSON decode error' }] });
      return;
    }
    record(req, res, path, body);
    const problem = validate(body, languages, path === '/tts_stream');
    if (problem !== undefined) {
      sendJson(res, 422, { detail: [problem] });
      return;
    }
    const current = script;
    // Ends every pending delay once the client hangs up or the server closes.
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    try {
      await respond(res, path, body, current, gone.signal);
    } catch (err) {
      if (!gone.signal.aborted) throw err;
    }
  }

  function record(req: IncomingMessage, res: ServerResponse, path: string, body: Record<string, unknown> | undefined): void {
    const { promise, resolve } = Promise.withResolvers<ExchangeOutcome>();
    const recorded: RecordedXttsRequest = { index: requests.length, method: req.method ?? '', path, body, ended: promise };
    res.on('close', () => {
      recorded.outcome = res.writableFinished ? 'completed' : closing ? 'server-closed' : 'client-closed';
      resolve(recorded.outcome);
    });
    requests.push(recorded);
    for (const waiter of waiters.filter((w) => w.path === path)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(recorded);
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    speakers,
    nextRequest(path) {
      const { promise, resolve } = Promise.withResolvers<RecordedXttsRequest>();
      waiters.push({ path, resolve });
      return promise;
    },
    setScript(next) {
      script = next;
    },
    async close() {
      closing = true;
      await closeServerNow(server);
    },
  };
}

async function respond(res: ServerResponse, path: string, body: Record<string, unknown>, script: XttsScript, signal: AbortSignal) {
  if (script.hang === true) return;
  if (script.httpStatus !== undefined) {
    sendJson(res, script.httpStatus, { detail: 'scripted failure' });
    return;
  }
  const pcm = Buffer.from(expectedSamples(body['text'] as string).buffer);
  if (path === '/tts') {
    sendJson(res, 200, Buffer.concat([wavHeader(XTTS_SAMPLE_RATE_HZ, pcm.length), pcm]).toString('base64'));
    return;
  }
  // The real server sends its WAV header (declaring no frames) as the first piece of the stream.
  const audio = body['add_wav_header'] === false ? pcm : Buffer.concat([wavHeader(XTTS_SAMPLE_RATE_HZ, 0), pcm]);
  const chunkBytes = Math.max(1, script.chunkBytes ?? 4800);
  res.writeHead(200, { 'content-type': 'audio/wav' });
  res.flushHeaders();
  await sleep(script.firstChunkDelayMs ?? 0, undefined, { signal });
  for (let offset = 0, sent = 0; offset < audio.length; offset += chunkBytes, sent++) {
    if (sent === script.hangAfterChunks) return;
    if (sent > 0 && (script.chunkDelayMs ?? 0) > 0) await sleep(script.chunkDelayMs, undefined, { signal });
    res.write(audio.subarray(offset, offset + chunkBytes));
  }
  if (script.hangAfterChunks !== undefined) return;
  res.end();
}

/** The checks the real server's pydantic models make, as a 422 detail entry. */
function validate(body: Record<string, unknown>, languages: string[], streaming: boolean): object | undefined {
  const isNumbers = (value: unknown) => Array.isArray(value) && value.every((n) => typeof n === 'number');
  if (typeof body['text'] !== 'string') return { type: 'string_type', loc: ['body', 'text'], msg: 'Input should be a valid string' };
  if (typeof body['language'] !== 'string' || !languages.includes(body['language'])) {
    return { type: 'literal_error', loc: ['body', 'language'], msg: `Input should be one of ${languages.join(', ')}` };
  }
  if (!isNumbers(body['speaker_embedding'])) return { type: 'list_type', loc: ['body', 'speaker_embedding'], msg: 'Input should be a valid list' };
  const latent = body['gpt_cond_latent'];
  if (!Array.isArray(latent) || !latent.every(isNumbers)) return { type: 'list_type', loc: ['body', 'gpt_cond_latent'], msg: 'Input should be a valid list' };
  if (streaming && 'add_wav_header' in body && typeof body['add_wav_header'] !== 'boolean') {
    return { type: 'bool_type', loc: ['body', 'add_wav_header'], msg: 'Input should be a valid boolean' };
  }
  if (streaming && 'stream_chunk_size' in body && typeof body['stream_chunk_size'] !== 'string') {
    return { type: 'string_type', loc: ['body', 'stream_chunk_size'], msg: 'Input should be a valid string' };
  }
  return undefined;
}
