import { Agent, fetch, type Response } from 'undici';
import type { z } from 'zod';
import { GatewayError } from '../../core/errors.ts';
import { speakerIndex, type SynthesisOptions, type Synthesizer } from '../../contracts/tts.ts';
import { pcm16Chunks } from './pcm16-stream.ts';
import { readText, ServerExchange } from './server-exchange.ts';
import {
  languagesSchema,
  latentsJsonMembers,
  matchLanguage,
  studioSpeakersSchema,
  ttsStreamBody,
  XTTS_SAMPLE_RATE_HZ,
} from './xtts-wire.ts';

export interface XttsLoadOptions {
  /** Base URL of a coqui-ai/xtts-streaming-server, e.g. `http://xtts:8000`. */
  url: string;
  /** The studio speaker used when a call names none. */
  speaker: string;
  /** Spoken when a call names no language, `auto`, or one the server lacks; defaults to `en`. */
  fallbackLanguage?: string | undefined;
  /** How long the server may stay silent: before answering, before the first audio, between two pieces. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

// XTTS v2's 58 studio speakers come to about 20 MB of JSON; anything far beyond is not this server.
const MAX_JSON_BYTES = 256 * 1024 * 1024;
// Enough of an error body to say what went wrong.
const MAX_ERROR_BYTES = 1024;

interface LoadedServer {
  url: string;
  speaker: string;
  language: string;
  languages: readonly string[];
  speakers: readonly string[];
  latentsBySpeakerId: readonly string[];
  timeoutMs: number;
  dispatcher: Agent;
}

/**
 * Speaks through a Coqui XTTS v2 streaming server (coqui-ai/xtts-streaming-server). Each phrase is one
 * POST /tts_stream carrying a studio speaker's latents (fetched once at load); its raw PCM16 body is yielded as
 * it arrives. Connections to the server are kept alive and shared by every session.
 */
export class XttsSynthesizer implements Synthesizer {
  readonly name: string;
  readonly sampleRateHz = XTTS_SAMPLE_RATE_HZ;
  readonly speakers: readonly string[];
  readonly #server: LoadedServer;
  readonly #defaultSpeakerId: number;
  readonly #inFlight = new Set<ServerExchange>();
  #closed = false;

  private constructor(server: LoadedServer) {
    this.#server = server;
    this.name = `xtts:${server.speaker}`;
    this.speakers = server.speakers;
    this.#defaultSpeakerId = server.speakers.indexOf(server.speaker);
  }

  /** Checks the server answers, speaks `fallbackLanguage`, and has `speaker`; fails with `model_not_ready` otherwise. */
  static async load(options: XttsLoadOptions): Promise<XttsSynthesizer> {
    const url = options.url.replace(/\/+$/, '');
    const dispatcher = new Agent({ connect: { timeout: options.timeoutMs } });
    try {
      const get = (path: string) => getJson(`${url}${path}`, dispatcher, options.timeoutMs, options.signal);
      const languages = parseAnswer(languagesSchema, await get('/languages'), url, '/languages');
      const studio = parseAnswer(studioSpeakersSchema, await get('/studio_speakers'), url, '/studio_speakers');
      const speakers = Object.keys(studio);
      if (!speakers.includes(options.speaker)) {
        const available = speakers.length > 0 ? speakers.join(', ') : 'none';
        throw new GatewayError('model_not_ready', `the XTTS server at ${url} has no studio speaker "${options.speaker}"; it has: ${available}`);
      }
      const wanted = options.fallbackLanguage ?? 'en';
      const language = matchLanguage(wanted, languages);
      if (language === undefined) {
        throw new GatewayError('model_not_ready', `the XTTS server at ${url} does not speak "${wanted}"; it speaks: ${languages.join(', ')}`);
      }
      const latentsBySpeakerId = Object.values(studio).map(latentsJsonMembers);
      return new XttsSynthesizer({ url, speaker: options.speaker, language, languages, speakers, latentsBySpeakerId, timeoutMs: options.timeoutMs, dispatcher });
    } catch (err) {
      await dispatcher.destroy();
      if (options.signal?.aborted === true) throw options.signal.reason;
      if (err instanceof GatewayError) throw err;
      throw new GatewayError('model_not_ready', `the XTTS server at ${url} did not answer: ${describe(err)}`, { cause: err });
    }
  }

  async *synthesize(text: string, options: SynthesisOptions): AsyncGenerator<Int16Array> {
    const { signal } = options;
    if (signal.aborted || text.trim() === '') return;
    if (this.#closed) throw new GatewayError('tts_failed', 'the XTTS synthesizer is closed');
    const { url, dispatcher, timeoutMs } = this.#server;
    const body = ttsStreamBody(text, this.#language(options.language), this.#latents(options.speaker));
    const exchange = new ServerExchange(timeoutMs, signal);
    this.#inFlight.add(exchange);
    let audioSeen = false;
    try {
      const response = await fetch(`${url}/tts_stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        dispatcher,
        signal: exchange.signal,
      });
      if (!response.ok) {
        throw new GatewayError('tts_failed', `the XTTS server at ${url} answered HTTP ${response.status}: ${await errorDetail(response, exchange)}`);
      }
      if (response.body === null) return;
      for await (const samples of pcm16Chunks(response.body)) {
        if (signal.aborted) return;
        audioSeen = true;
        exchange.pause();
        yield samples;
        if (signal.aborted) return;
        exchange.wait();
      }
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof GatewayError) throw err;
      if (exchange.timedOut) {
        const what = audioSeen ? `stalled for ${timeoutMs} ms mid-phrase` : `sent no audio within ${timeoutMs} ms`;
        throw new GatewayError('tts_failed', `the XTTS server at ${url} ${what}`, { cause: err });
      }
      if (this.#closed) throw new GatewayError('tts_failed', 'the XTTS synthesizer was closed mid-phrase', { cause: err });
      throw new GatewayError('tts_failed', `the XTTS server at ${url} failed: ${describe(err)}`, { cause: err });
    } finally {
      this.#inFlight.delete(exchange);
      // Also closes the request when the caller stops iterating early.
      exchange.end();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const exchange of this.#inFlight) exchange.cancel(new Error('synthesizer closed'));
    await this.#server.dispatcher.destroy();
  }

  /**
   * The session's language when the server speaks it; otherwise (none, `auto` before whisper has heard one, or
   * a language the server lacks) the fallback: speech in another language beats no speech at all.
   */
  #language(requested: string | undefined): string {
    return (requested === undefined ? undefined : matchLanguage(requested, this.#server.languages)) ?? this.#server.language;
  }

  #latents(speaker: string | number | undefined): string {
    const id = speaker === undefined ? this.#defaultSpeakerId : speakerIndex(this.speakers, speaker);
    const latents = id === undefined ? undefined : this.#server.latentsBySpeakerId[id];
    if (latents === undefined) {
      throw new GatewayError('tts_failed', `the XTTS server has no studio speaker "${speaker}" among its ${this.speakers.length}`);
    }
    return latents;
  }
}

async function getJson(url: string, dispatcher: Agent, timeoutMs: number, signal: AbortSignal | undefined): Promise<unknown> {
  const exchange = new ServerExchange(timeoutMs, signal);
  try {
    const response = await fetch(url, { dispatcher, signal: exchange.signal });
    if (!response.ok) throw new Error(`HTTP ${response.status} from ${new URL(url).pathname}: ${await errorDetail(response, exchange)}`);
    if (response.body === null) throw new Error(`an empty answer from ${new URL(url).pathname}`);
    const { text, truncated } = await readText(response.body, MAX_JSON_BYTES, exchange);
    if (truncated) throw new Error(`${new URL(url).pathname} answered more than ${MAX_JSON_BYTES} bytes`);
    return JSON.parse(text);
  } catch (err) {
    if (exchange.timedOut) throw new Error(`nothing from ${new URL(url).pathname} for ${timeoutMs} ms`, { cause: err });
    throw err;
  } finally {
    exchange.end();
  }
}

function parseAnswer<T>(schema: z.ZodType<T>, value: unknown, url: string, path: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  // The first issue is enough to tell a wrong server from a broken one; the full list can run to thousands.
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
  throw new GatewayError('model_not_ready', `the XTTS server at ${url} answered ${path} in an unexpected shape${where}: ${issue?.message ?? 'invalid'}`);
}

async function errorDetail(response: Response, exchange: ServerExchange): Promise<string> {
  if (response.body === null) return response.statusText;
  try {
    const { text } = await readText(response.body, MAX_ERROR_BYTES, exchange);
    return text.trim() || response.statusText;
  } catch {
    return response.statusText;
  }
}

/** A network error's own reason (undici wraps it as "fetch failed"). */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message;
}
