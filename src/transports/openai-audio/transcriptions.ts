import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { decodeAudio } from '../../audio/decode/decode-audio.ts';
import { GatewayError } from '../../core/errors.ts';
import type { FileTranscript } from '../../speech/file-transcription.ts';
import type { SpeechApiDeps } from '../speech-api/deps.ts';
import { requestError } from '../speech-api/http-status.ts';
import { abortOnHangUp } from '../speech-api/hang-up.ts';
import { readUpload } from '../speech-api/upload.ts';
import { sendOpenAiError, openAiError } from './errors.ts';
import { OPENAI_ASR_MODELS } from './models.ts';
import { toSrt, toVtt } from './subtitles.ts';

/** The form fields of `POST /v1/audio/transcriptions`, as OpenAI defines them. */
export const transcriptionFieldsSchema = z.object({
  model: z.string().min(1),
  language: z.string().regex(/^[a-z]{2,3}$/i, 'an ISO 639-1 code such as "en"').optional(),
  /** Accepted for compatibility; whisper.cpp's binding here takes no initial prompt. */
  prompt: z.string().optional(),
  response_format: z.enum(['json', 'text', 'verbose_json', 'srt', 'vtt']).default('json'),
  /** Accepted for compatibility; decoding is greedy (temperature 0) so the same audio gives the same text. */
  temperature: z.coerce.number().min(0).max(1).optional(),
  timestamp_granularities: z.array(z.enum(['segment', 'word'])).optional(),
  stream: z.enum(['true', 'false']).default('false'),
});

/** Form fields as the schema reads them: one value each, except the list field. */
function formObject(fields: Map<string, string[]>): Record<string, string | string[]> {
  const object: Record<string, string | string[]> = {};
  for (const [name, values] of fields) object[name] = name === 'timestamp_granularities' || values.length > 1 ? values : (values[0] ?? '');
  return object;
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });

function verboseJson(transcript: FileTranscript) {
  return {
    task: 'transcribe',
    language: (languageNames.of(transcript.language) ?? transcript.language).toLowerCase(),
    duration: transcript.durationSeconds,
    text: transcript.text,
    segments: transcript.segments.map((s, id) => ({
      id,
      seek: Math.round(s.start * 100),
      start: s.start,
      end: s.end,
      text: s.text,
      tokens: [],
      temperature: 0,
      // Greedy decoding on whisper.cpp reports no probabilities here: these say "unknown" as OpenAI's types allow.
      avg_logprob: 0,
      compression_ratio: 0,
      no_speech_prob: 0,
    })),
    usage: { type: 'duration', seconds: Math.ceil(transcript.durationSeconds) },
  };
}

function parseFields(fields: Map<string, string[]>, asrModel: string) {
  const parsed = transcriptionFieldsSchema.safeParse(formObject(fields));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GatewayError('invalid_request', `${issue?.path.join('.') || 'form'}: ${issue?.message ?? 'invalid'}`);
  }
  const { model, timestamp_granularities: granularities } = parsed.data;
  if (model !== asrModel && !(OPENAI_ASR_MODELS as readonly string[]).includes(model)) {
    throw new GatewayError('unknown_model', `model "${model}" is not served here; use ${asrModel} or ${OPENAI_ASR_MODELS.join(', ')}`);
  }
  if (granularities?.includes('word')) {
    throw new GatewayError('invalid_request', 'timestamp_granularities: word timestamps are not available; ask for segment');
  }
  return parsed.data;
}

/** `POST /v1/audio/transcriptions`. */
export function transcriptions(deps: SpeechApiDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const abort = abortOnHangUp(reply);
    let fields: ReturnType<typeof parseFields>;
    let audio: Awaited<ReturnType<typeof decodeAudio>>;
    try {
      const upload = await readUpload(request);
      fields = parseFields(upload.fields, deps.speech.asrModel);
      if (upload.file === undefined) throw new GatewayError('invalid_request', 'file: an audio file is required');
      audio = await decodeAudio(upload.file, deps.limits.maxAudioSeconds);
    } catch (err) {
      return sendOpenAiError(reply, requestError(err, deps.limits.maxUploadBytes));
    }
    const transcribe = (onSegment?: (text: string) => void) =>
      deps.speech.transcribe(audio.samples16k, {
        language: fields.language ?? 'auto',
        signal: abort.signal,
        trace: request.apiTrace,
        ...(onSegment && { onSegment: (segment) => onSegment(segment.text) }),
      });

    if (fields.stream === 'true') return streamTranscript(reply, transcribe);
    let transcript: FileTranscript;
    try {
      transcript = await transcribe();
    } catch (err) {
      return sendOpenAiError(reply, GatewayError.from(err));
    }
    switch (fields.response_format) {
      case 'text':
        return reply.type('text/plain; charset=utf-8').send(`${transcript.text}\n`);
      case 'srt':
        return reply.type('application/x-subrip; charset=utf-8').send(toSrt(transcript.segments));
      case 'vtt':
        return reply.type('text/vtt; charset=utf-8').send(toVtt(transcript.segments));
      case 'verbose_json':
        return reply.send(verboseJson(transcript));
      case 'json':
        return reply.send({ text: transcript.text, usage: { type: 'duration', seconds: Math.ceil(transcript.durationSeconds) } });
    }
  };
}

/** Server-sent events: a `transcript.text.delta` per segment as it is transcribed, then `transcript.text.done`. */
async function streamTranscript(reply: FastifyReply, transcribe: (onSegment: (text: string) => void) => Promise<FileTranscript>) {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const event = (data: unknown) => raw.write(`data: ${JSON.stringify(data)}\n\n`);
  let first = true;
  try {
    const transcript = await transcribe((text) => {
      event({ type: 'transcript.text.delta', delta: first ? text : ` ${text}` });
      first = false;
    });
    event({ type: 'transcript.text.done', text: transcript.text, usage: { type: 'duration', seconds: Math.ceil(transcript.durationSeconds) } });
  } catch (err) {
    event(openAiError(GatewayError.from(err)));
  }
  raw.end();
}
