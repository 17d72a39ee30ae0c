import type { FastifySchema } from 'fastify';
import { binaryResponse, jsonSchema, multipartSchema } from '../speech-api/json-schema.ts';
import { speechBodySchema } from './speech.ts';

const error = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { message: { type: 'string' }, type: { type: 'string' }, code: { type: 'string' }, param: { type: ['string', 'null'] } },
    },
  },
};

/**
 * Route schemas for the OpenAPI document. Requests are checked by the handlers' zod schemas (so errors have
 * OpenAI's shape); the routes set `attachValidation` and these describe them.
 */
export const openAiSchemas = {
  transcriptions: {
    summary: 'Transcribe an audio file (OpenAI compatible)',
    tags: ['OpenAI audio'],
    consumes: ['multipart/form-data'],
    body: multipartSchema(
      {
        model: { type: 'string', description: 'whisper-1, gpt-4o-transcribe, gpt-4o-mini-transcribe or the gateway’s model' },
        language: { type: 'string', description: 'ISO 639-1; absent: detected' },
        prompt: { type: 'string' },
        response_format: { type: 'string', enum: ['json', 'text', 'verbose_json', 'srt', 'vtt'] },
        temperature: { type: 'number' },
        'timestamp_granularities[]': { type: 'array', items: { type: 'string', enum: ['segment'] } },
        stream: { type: 'boolean', description: 'server-sent events transcript.text.delta / transcript.text.done' },
      },
      ['model'],
    ),
    response: { 200: { description: 'the transcript (json, verbose_json, text, srt, vtt or an event stream)', type: 'object', additionalProperties: true }, '4xx': error, '5xx': error },
  },
  speech: {
    summary: 'Synthesise speech (OpenAI compatible)',
    tags: ['OpenAI audio'],
    body: jsonSchema(speechBodySchema),
    response: { 200: binaryResponse('audio/mpeg (the default), audio/wav, audio/pcm (24 kHz s16le) or text/event-stream of speech.audio.delta'), '4xx': error, '5xx': error },
  },
  models: {
    summary: 'The recogniser and voices served',
    tags: ['OpenAI audio'],
    response: {
      200: {
        type: 'object',
        properties: {
          object: { type: 'string' },
          data: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, object: { type: 'string' }, created: { type: 'integer' }, owned_by: { type: 'string' } } } },
        },
      },
    },
  },
} satisfies Record<string, FastifySchema & Record<string, unknown>>;
