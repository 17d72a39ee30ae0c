import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { GatewayError } from '../../core/errors.ts';
import type { SpeechApiDeps } from '../speech-api/deps.ts';
import { abortOnHangUp } from '../speech-api/hang-up.ts';
import { httpStatus, requestError } from '../speech-api/http-status.ts';
import { speechApiHooks } from '../speech-api/hooks.ts';
import { jsonSchema, multipartSchema } from '../speech-api/json-schema.ts';
import { readUpload } from '../speech-api/upload.ts';
import { streamWav } from '../speech-api/wav-response.ts';
import {
  chatMessageSchema,
  languageOf,
  synthesisResponseSchema,
  synthesizeBodySchema,
  transcribeJsonSchema,
  transcriptionResponseSchema,
  type ChatMessage,
} from './messages.ts';
import { fromBase64, synthesizeWav, transcribeRecording } from './voice-work.ts';

export const SEED_004_PREFIX = '/api/voice';

const TAGS = ['Seed 004: Voice Chat Integration'];
const detailSchema = { type: 'object', properties: { detail: { type: 'string' }, code: { type: 'string' } } };
const errors = { '4xx': detailSchema, '5xx': detailSchema };

/** FastAPI's error body, as the seed's clients read it. */
const detail = (reply: FastifyReply, error: GatewayError) => reply.code(httpStatus(error)).send({ detail: error.publicMessage, code: error.code });

function invalid(issues: readonly { path: PropertyKey[]; message: string }[]): GatewayError {
  const issue = issues[0];
  return new GatewayError('invalid_request', `${issue?.path.map(String).join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
}

/**
 * Seed 004's API ("Voice Chat Integration") under `/api/voice`: transcribe, synthesize, audio-stream, voices,
 * health, and the WebSocket chat (`transcribe`, `synthesize`, `ping`), on the gateway's engines.
 */
export function seedVoiceChat(deps: SpeechApiDeps, readiness: () => { asr: boolean; tts: boolean }) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(multipart, { limits: { fileSize: deps.limits.maxUploadBytes, files: 1, fields: 10 } });
    speechApiHooks(app, deps, (reply) => reply.send({ detail: 'a valid API key is required', code: 'unauthorized' }));
    // base64 JSON carries a recording a third larger than its bytes.
    const base64BodyLimit = Math.ceil((deps.limits.maxUploadBytes * 4) / 3) + 4096;

    app.post(`${SEED_004_PREFIX}/transcribe`, {
      attachValidation: true,
      bodyLimit: base64BodyLimit,
      schema: {
        summary: 'Transcribe a recording: a multipart file, or JSON with audio_base64 (seed 004)',
        tags: TAGS,
        consumes: ['multipart/form-data', 'application/json'],
        body: { oneOf: [multipartSchema({ language: { type: 'string' } }, []), jsonSchema(transcribeJsonSchema)] },
        response: { 200: jsonSchema(transcriptionResponseSchema), ...errors },
      },
    }, async (request, reply) => {
      const abort = abortOnHangUp(reply);
      try {
        const { bytes, language } = await recording(request);
        return await transcribeRecording(deps, bytes, language, abort.signal, request.apiTrace);
      } catch (err) {
        return detail(reply, requestError(err, deps.limits.maxUploadBytes));
      }
    });

    app.post(`${SEED_004_PREFIX}/synthesize`, {
      attachValidation: true,
      schema: { summary: 'Synthesise text as base64 WAV (seed 004)', tags: TAGS, body: jsonSchema(synthesizeBodySchema), response: { 200: jsonSchema(synthesisResponseSchema), ...errors } },
    }, async (request, reply) => {
      const parsed = synthesizeBodySchema.safeParse(request.body);
      if (!parsed.success) return detail(reply, invalid(parsed.error.issues));
      const abort = abortOnHangUp(reply);
      try {
        return await synthesizeWav(deps, parsed.data, abort.signal, request.apiTrace);
      } catch (err) {
        return detail(reply, GatewayError.from(err));
      }
    });

    app.post(`${SEED_004_PREFIX}/audio-stream`, {
      attachValidation: true,
      schema: {
        summary: 'Synthesise text as a WAV stream, phrase by phrase (seed 004)',
        tags: TAGS,
        body: jsonSchema(synthesizeBodySchema),
        response: { 200: { description: 'audio/wav', type: 'string', format: 'binary' }, ...errors },
      },
    }, async (request, reply) => {
      const parsed = synthesizeBodySchema.safeParse(request.body);
      if (!parsed.success) return detail(reply, invalid(parsed.error.issues));
      if (parsed.data.text.length > deps.limits.maxInputChars) {
        return detail(reply, new GatewayError('text_too_long', `text is longer than the ${deps.limits.maxInputChars} characters allowed`));
      }
      const abort = abortOnHangUp(reply);
      try {
        const { text, voice, lang_code: langCode, speed } = parsed.data;
        const speech = deps.speech.synthesize(text, { voice, language: languageOf(langCode), speed, signal: abort.signal, trace: request.apiTrace });
        return await streamWav(reply, speech, abort, (error) => detail(reply, error));
      } catch (err) {
        return detail(reply, GatewayError.from(err));
      }
    });

    app.get(`${SEED_004_PREFIX}/voices`, {
      schema: {
        summary: 'Voices (seed 004)',
        tags: TAGS,
        response: { 200: { type: 'object', properties: { voices: { type: 'array', items: { type: 'string' } }, default_voice: { type: 'string' }, service: { type: 'string' } } } },
      },
    }, async () => {
      const names = deps.speech.voices.all.map((voice) => voice.name);
      return { voices: names, default_voice: names[0] ?? '', service: 's2s-gateway TTS' };
    });

    app.get(`${SEED_004_PREFIX}/health`, {
      schema: {
        summary: 'Speech services health (seed 004)',
        tags: TAGS,
        response: {
          200: {
            type: 'object',
            properties: { status: { type: 'string' }, sst_service: { type: 'string' }, tts_service: { type: 'string' }, sst_healthy: { type: 'boolean' }, tts_healthy: { type: 'boolean' } },
          },
        },
      },
    }, async () => {
      const { asr, tts } = readiness();
      return {
        status: asr && tts ? 'healthy' : 'degraded',
        sst_service: `whisper.cpp (${deps.speech.asrModel})`,
        tts_service: deps.speech.voices.all.map((voice) => voice.name).join(', '),
        sst_healthy: asr,
        tts_healthy: tts,
      };
    });

    app.get(`${SEED_004_PREFIX}/ws/chat`, { websocket: true, schema: { summary: 'Voice chat WebSocket: transcribe, synthesize, ping (seed 004)', tags: TAGS } }, (socket, request) => {
      serveChat(socket, deps, request);
    });
  };
}

/** The recording of a transcribe request: a multipart `file` (+ `language`), or JSON (or JSON sent as text). */
async function recording(request: FastifyRequest): Promise<{ bytes: Uint8Array; language: string | undefined }> {
  if (request.isMultipart()) {
    const upload = await readUpload(request);
    if (upload.file === undefined) throw new GatewayError('invalid_request', 'file: an audio file is required');
    return { bytes: upload.file, language: upload.fields.get('language')?.[0] };
  }
  let body = request.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body) as unknown;
    } catch {
      throw new GatewayError('invalid_request', 'send a multipart form with a file, or JSON with audio_base64');
    }
  }
  const parsed = transcribeJsonSchema.safeParse(body);
  if (!parsed.success) throw invalid(parsed.error.issues);
  return { bytes: fromBase64(parsed.data.audio_base64), language: parsed.data.language };
}

/** The chat socket: each message answered in order; a failed one gets an `error` message and the socket stays. */
function serveChat(socket: WebSocket, deps: SpeechApiDeps, request: FastifyRequest): void {
  const abort = new AbortController();
  const send = (message: unknown) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  let queue = Promise.resolve();
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    queue = queue.then(async () => {
      try {
        if (isBinary) throw new GatewayError('invalid_message', 'messages are JSON text');
        let json: unknown;
        try {
          json = JSON.parse(data.toString('utf8'));
        } catch {
          throw new GatewayError('bad_json', 'a message is not JSON');
        }
        const parsed = chatMessageSchema.safeParse(json);
        if (!parsed.success) throw new GatewayError('invalid_message', `${parsed.error.issues[0]?.path.join('.') || 'type'}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        send(await answer(parsed.data, deps, abort.signal, request));
      } catch (err) {
        if (abort.signal.aborted) return;
        const error = GatewayError.from(err);
        send({ type: 'error', code: error.code, message: error.publicMessage });
      }
    });
  });
  socket.on('close', () => abort.abort());
}

async function answer(message: ChatMessage, deps: SpeechApiDeps, signal: AbortSignal, request: FastifyRequest): Promise<unknown> {
  switch (message.type) {
    case 'ping':
      return { type: 'pong' };
    case 'transcribe': {
      const result = await transcribeRecording(deps, fromBase64(message.audio_base64), message.language, signal, request.apiTrace);
      return { type: 'transcription', ...result };
    }
    case 'synthesize': {
      const { type: _type, ...body } = message;
      const result = await synthesizeWav(deps, body, signal, request.apiTrace);
      return { type: 'audio', audio_base64: result.audio_base64, sample_rate: result.audio_sample_rate, duration_seconds: result.audio_duration_seconds, voice: result.voice, speed: result.speed };
    }
  }
}
