import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { StreamingMp3Encoder } from '../../audio/encode/mp3-encoder.ts';
import { Pcm16Resampler } from '../../audio/pcm16-resampler.ts';
import { GatewayError } from '../../core/errors.ts';
import type { SpeechApiDeps } from '../speech-api/deps.ts';
import { abortOnHangUp } from '../speech-api/hang-up.ts';
import { pcm16Bytes, wavHeader } from '../speech-api/wav.ts';
import { openAiError, sendOpenAiError } from './errors.ts';
import { OPENAI_TTS_MODELS, OPENAI_VOICES } from './models.ts';

/** OpenAI's `pcm` is 24 kHz 16-bit mono whatever the voice: clients play it without being told a rate. */
export const OPENAI_PCM_RATE_HZ = 24_000;

export const speechBodySchema = z.object({
  model: z.string().min(1),
  input: z.string().min(1),
  voice: z.union([z.string().min(1), z.object({ id: z.string().min(1) })]),
  /** Accepted for compatibility; the gateway's engines take no style instructions. */
  instructions: z.string().optional(),
  /** mp3 by default, as OpenAI's; opus, aac and flac have no encoder here. */
  response_format: z.enum(['mp3', 'wav', 'pcm']).default('mp3'),
  speed: z.number().min(0.25).max(4).default(1),
  stream_format: z.enum(['audio', 'sse']).default('audio'),
});

type SpeechBody = z.infer<typeof speechBodySchema>;

const CONTENT_TYPES = { mp3: 'audio/mpeg', wav: 'audio/wav', pcm: 'audio/pcm' } as const;

function parseBody(body: unknown, deps: SpeechApiDeps): SpeechBody & { voiceName: string | undefined } {
  const parsed = speechBodySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const format = issue?.path[0] === 'response_format' ? ' (this gateway encodes mp3, wav and pcm)' : '';
    throw new GatewayError('invalid_request', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}${format}`);
  }
  const request = parsed.data;
  if (request.input.length > deps.limits.maxInputChars) {
    throw new GatewayError('text_too_long', `input is longer than the ${deps.limits.maxInputChars} characters allowed`);
  }
  const { voices } = deps.speech;
  if (!(OPENAI_TTS_MODELS as readonly string[]).includes(request.model) && !voices.has(request.model)) {
    throw new GatewayError('unknown_model', `model "${request.model}" is not served here; use ${OPENAI_TTS_MODELS.join(', ')} or a voice name`);
  }
  const voice = typeof request.voice === 'string' ? request.voice : request.voice.id;
  // OpenAI's own voice names (what clients send by default) get the model's voice, else the default.
  const fallback = voices.has(request.model) ? request.model : undefined;
  return { ...request, voiceName: OPENAI_VOICES.includes(voice) && !voices.has(voice) ? fallback : voice };
}

/** `POST /v1/audio/speech`: the audio streams out phrase by phrase as it is synthesised. */
export function speech(deps: SpeechApiDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const abort = abortOnHangUp(reply);
    let body: ReturnType<typeof parseBody>;
    let first: IteratorResult<Int16Array>;
    let audio: AsyncGenerator<Int16Array>;
    let rateHz: number;
    try {
      body = parseBody(request.body, deps);
      const speech = deps.speech.synthesize(body.input, { voice: body.voiceName, speed: body.speed, signal: abort.signal, trace: request.apiTrace });
      audio = speech.audio;
      rateHz = speech.voice.sampleRateHz;
      // The first phrase before the status line: a failure that early still gets an error response.
      first = await audio.next();
    } catch (err) {
      abort.abort();
      return sendOpenAiError(reply, GatewayError.from(err));
    }
    reply.hijack();
    const raw = reply.raw;
    const sse = body.stream_format === 'sse';
    const encode = await encoder(body.response_format, rateHz);
    raw.writeHead(200, {
      'content-type': sse ? 'text/event-stream' : CONTENT_TYPES[body.response_format],
      'cache-control': 'no-cache',
      ...(!sse && { 'x-sample-rate': String(encode.rateHz) }),
    });
    const send = async (bytes: Buffer) => {
      if (bytes.length === 0) return;
      const more = sse ? raw.write(`data: ${JSON.stringify({ type: 'speech.audio.delta', audio: bytes.toString('base64') })}\n\n`) : raw.write(bytes);
      if (!more && !abort.signal.aborted) await Promise.race([once(raw, 'drain'), once(raw, 'close')]);
    };
    try {
      await send(encode.start());
      for (let next = first; next.done !== true && !abort.signal.aborted; next = await audio.next()) await send(await encode.chunk(next.value));
      if (abort.signal.aborted) return void raw.destroy();
      await send(await encode.end());
      if (sse) raw.write(`data: ${JSON.stringify({ type: 'speech.audio.done', usage: usage(body.input) })}\n\n`);
      raw.end();
    } catch (err) {
      failMidStream(raw, sse, err);
    } finally {
      encode.close();
      abort.abort();
    }
  };
}

/** OpenAI reports token usage; here the input's characters stand in for its tokens. */
function usage(input: string) {
  return { input_tokens: input.length, output_tokens: 0, total_tokens: input.length };
}

function failMidStream(raw: ServerResponse, sse: boolean, err: unknown): void {
  if (sse) {
    raw.end(`data: ${JSON.stringify(openAiError(GatewayError.from(err)))}\n\n`);
    return;
  }
  // The status line has gone: cutting the connection is how a client learns the audio is incomplete.
  raw.destroy();
}

interface Encoder {
  /** The rate of the audio it writes. */
  rateHz: number;
  start(): Buffer;
  chunk(pcm: Int16Array): Promise<Buffer>;
  end(): Promise<Buffer>;
  close(): void;
}

const nothing = () => Promise.resolve(Buffer.alloc(0));

async function encoder(format: SpeechBody['response_format'], rateHz: number): Promise<Encoder> {
  if (format === 'wav') {
    return { rateHz, start: () => wavHeader(rateHz), chunk: (pcm) => Promise.resolve(pcm16Bytes(pcm)), end: nothing, close: () => {} };
  }
  if (format === 'mp3') {
    const mp3 = await StreamingMp3Encoder.create(rateHz);
    return { rateHz: mp3.rateHz, start: () => Buffer.alloc(0), chunk: (pcm) => mp3.encode(pcm), end: () => mp3.end(), close: () => mp3.close() };
  }
  const resampler = rateHz === OPENAI_PCM_RATE_HZ ? undefined : await Pcm16Resampler.create(rateHz, OPENAI_PCM_RATE_HZ);
  return {
    rateHz: OPENAI_PCM_RATE_HZ,
    start: () => Buffer.alloc(0),
    chunk: (pcm) => Promise.resolve(pcm16Bytes(resampler ? resampler.process(pcm) : pcm)),
    end: () => Promise.resolve(pcm16Bytes(resampler ? resampler.drain() : new Int16Array(0))),
    close: () => resampler?.close(),
  };
}
