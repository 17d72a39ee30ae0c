import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { SpeechApiDeps } from '../speech-api/deps.ts';
import { speechApiHooks } from '../speech-api/hooks.ts';
import { sendUnauthorized } from './errors.ts';
import { modelEntry } from './models.ts';
import { speech } from './speech.ts';
import { transcriptions } from './transcriptions.ts';
import { openAiSchemas } from './schemas.ts';

/**
 * OpenAI's audio API, so the `openai` SDKs and tools built on them work with `baseURL` pointed at the gateway:
 * `POST /v1/audio/transcriptions`, `POST /v1/audio/speech`, `GET /v1/models`. Errors are OpenAI's shape.
 */
export function openAiAudio(deps: SpeechApiDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(multipart, { limits: { fileSize: deps.limits.maxUploadBytes, files: 1, fields: 20 } });
    speechApiHooks(app, deps, sendUnauthorized);
    app.post('/v1/audio/transcriptions', { schema: openAiSchemas.transcriptions, attachValidation: true }, transcriptions(deps));
    app.post('/v1/audio/speech', { schema: openAiSchemas.speech, attachValidation: true }, speech(deps));
    app.get('/v1/models', { schema: openAiSchemas.models }, async () => ({
      object: 'list',
      data: [deps.speech.asrModel, ...deps.speech.voices.all.map((voice) => voice.name)].map(modelEntry),
    }));
  };
}
