import { ROOT_CONTEXT as ROOT, type Context } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { GatewayError } from '../../core/errors.ts';
import type { SessionEvent, SessionSink } from '../../session/events.ts';
import type { Session } from '../../session/session.ts';
import type { TransportDeps } from '../deps.ts';
import type { SpeechApiDeps } from '../speech-api/deps.ts';
import { abortOnHangUp } from '../speech-api/hang-up.ts';
import { httpStatus } from '../speech-api/http-status.ts';
import { speechApiHooks } from '../speech-api/hooks.ts';
import { jsonSchema } from '../speech-api/json-schema.ts';
import { streamWav } from '../speech-api/wav-response.ts';

/** `POST /tts` of seed 002 ("TTS Server"). */
export const ttsBodySchema = z.object({ text: z.string().min(1), voice: z.string().min(1).optional() });

export const SEED_002_STT_RATE_HZ = 16_000;

/** FastAPI's error body, as the seed's clients read it. */
const detail = (reply: FastifyReply, error: GatewayError) => reply.code(httpStatus(error)).send({ detail: error.publicMessage, code: error.code });

const detailSchema = { type: 'object', properties: { detail: { type: 'string' }, code: { type: 'string' } } };

/**
 * Seed 002's API ("TTS Server"): `WS /ws/stt` (PCM16LE 16 kHz in, a `transcript` per utterance out), `POST /tts`
 * (WAV) and `GET /voices`, served by the gateway's engines. The STT socket is a live session that only
 * transcribes: the VAD ends each utterance and its transcription goes before batch work.
 */
export function seedTtsServer(deps: SpeechApiDeps & Pick<TransportDeps, 'openSession' | 'ownerOf'>, maxBufferedAudioMs: number) {
  return async (app: FastifyInstance): Promise<void> => {
    speechApiHooks(app, deps, (reply) => reply.send({ detail: 'a valid API key is required', code: 'unauthorized' }));

    app.post('/tts', {
      attachValidation: true,
      schema: { summary: 'Synthesise text as WAV (seed 002)', tags: ['Seed 002: TTS Server'], body: jsonSchema(ttsBodySchema), response: { 200: { description: 'audio/wav', type: 'string', format: 'binary' }, '4xx': detailSchema, '5xx': detailSchema } },
    }, async (request, reply) => {
      const parsed = ttsBodySchema.safeParse(request.body);
      if (!parsed.success) return detail(reply, new GatewayError('invalid_request', `text: ${parsed.error.issues[0]?.message ?? 'required'}`));
      if (parsed.data.text.length > deps.limits.maxInputChars) {
        return detail(reply, new GatewayError('text_too_long', `text is longer than the ${deps.limits.maxInputChars} characters allowed`));
      }
      const abort = abortOnHangUp(reply);
      try {
        const speech = deps.speech.synthesize(parsed.data.text, { voice: parsed.data.voice, signal: abort.signal, trace: request.apiTrace });
        return await streamWav(reply, speech, abort, (error) => detail(reply, error));
      } catch (err) {
        return detail(reply, GatewayError.from(err));
      }
    });

    app.get('/voices', {
      schema: {
        summary: 'Voices (seed 002)',
        tags: ['Seed 002: TTS Server'],
        response: { 200: { type: 'object', properties: { voices: { type: 'array', items: { type: 'string' } }, default: { type: 'string' } } } },
      },
    }, async () => {
      const names = deps.speech.voices.all.map((voice) => voice.name);
      return { voices: names, default: names[0] ?? '' };
    });

    app.get('/ws/stt', { websocket: true, schema: { summary: 'Speech to text over a WebSocket (seed 002): binary PCM16LE 16 kHz in, transcript messages out', tags: ['Seed 002: TTS Server'] } }, (socket, request) => {
      openSttSession(socket, (sink, trace) => deps.openSession(sink, trace, deps.ownerOf(request)), maxBufferedAudioMs);
    });
  };
}

/** A transcribe-only session speaking seed 002's STT messages. */
function openSttSession(socket: WebSocket, openSession: (sink: SessionSink, trace: Context) => Session, maxBufferedAudioMs: number): void {
  const send = (message: unknown) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  let speechStartMs = 0;
  let lastDurationS = 0;
  const sink: SessionSink = {
    event(event: SessionEvent) {
      if (event.type === 'speech_started') speechStartMs = event.audioMs ?? 0;
      else if (event.type === 'speech_stopped') lastDurationS = Math.max(0, ((event.audioMs ?? 0) - speechStartMs) / 1000);
      else if (event.type === 'transcript_final') send({ type: 'transcript', text: event.text, duration: Number(lastDurationS.toFixed(2)), keep_open: true });
      else if (event.type === 'error' && event.error.code === 'audio_overflow') send({ type: 'buffer_limit_reached', duration: maxBufferedAudioMs / 1000 });
      else if (event.type === 'error') send({ type: 'error', code: event.error.code, message: event.error.publicMessage });
      else if (event.type === 'ended') socket.close(1000);
    },
    // A transcribe-only session never speaks.
    audio() {},
    drained: async () => {},
  };
  let session: Session;
  try {
    session = openSession(sink, ROOT);
  } catch (err) {
    send({ type: 'error', code: GatewayError.from(err).code, message: GatewayError.from(err).publicMessage });
    socket.close(1013);
    return;
  }
  const started = session.start({
    lang: 'auto',
    audioIn: { encoding: 'pcm16', sampleRateHz: SEED_002_STT_RATE_HZ, channels: 1 },
    turnTaking: { endpointing: 'vad', autoRespond: false, bargeIn: false },
    speak: false,
  });
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) return send({ type: 'error', code: 'invalid_message', message: 'send binary PCM16LE 16 kHz mono audio' });
    void started.then(() => session.audio(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    return undefined;
  });
  socket.on('close', () => void session.end());
}

