import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { createKeyCheck } from '../transports/auth.ts';
import type { TransportDeps } from '../transports/deps.ts';
import { openAiAudio } from '../transports/openai-audio/route.ts';
import { openApi } from '../transports/openapi/plugin.ts';
import { seedTtsServer } from '../transports/seed-tts-server/route.ts';
import { seedVoiceChat } from '../transports/seed-voice-chat/route.ts';
import { operations } from '../transports/operations.ts';
import type { SpeechApiDeps } from '../transports/speech-api/deps.ts';
import { SpeechService } from '../speech/speech-service.ts';
import { realtime } from '../transports/realtime/route.ts';
import { protocolV1 } from '../transports/v1/route.ts';
import { webClient } from '../transports/web/plugin.ts';
import type { Runtime } from './runtime.ts';

const GATEWAY_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * The gateway as a Fastify app: operations routes and every transport over one runtime. It does not listen; with
 * `https` (PEM key and certificate) it will serve TLS.
 */
export async function buildApp(runtime: Runtime, https?: { key: Buffer; cert: Buffer }): Promise<FastifyInstance> {
  const { config } = runtime;
  const app = Fastify({
    ...(https && { https }),
    loggerInstance: runtime.log as FastifyBaseLogger,
    // Scrapes and probes every few seconds would drown the log; sessions log what matters themselves.
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
  });

  await app.register(websocket, {
    options: { maxPayload: config.limits.maxFrameBytes },
    // Replaces the plugin's own close-everything: interrupted turns still send their ends, then clients learn why
    // the connection ends.
    preClose: () => runtime.sessions.endAll('shutting_down', 'the gateway is shutting down'),
  });

  const deps: TransportDeps = {
    openSession: (sink, trace) => runtime.sessions.open(sink, trace),
    keyCheck: createKeyCheck(config.server.apiKeys),
  };
  const speechDeps: SpeechApiDeps = {
    speech: new SpeechService({
      transcriber: () => runtime.asr.get(),
      asrModel: basename(config.asr.model).replace(/^ggml-|\.bin$/g, ''),
      voices: runtime.voices,
      metrics: runtime.metrics,
      traceContent: config.traceContent,
    }),
    limits: config.speechApi,
    keyCheck: deps.keyCheck,
    metrics: runtime.metrics,
    openSession: deps.openSession,
  };
  await openApi(app, { keyCheck: deps.keyCheck, version: GATEWAY_VERSION });
  await app.register(operations(runtime));
  await app.register(openAiAudio(speechDeps));
  await app.register(seedVoiceChat(speechDeps, () => ({ asr: runtime.asr.ready, tts: runtime.voices.all.every((voice) => voice.slot.ready) })));
  await app.register(seedTtsServer({ ...speechDeps, openSession: deps.openSession }, config.limits.maxBufferedAudioMs));
  await app.register(protocolV1(deps));
  await app.register(realtime(deps, config.vad));
  await app.register(webClient({ keyCheck: deps.keyCheck, voices: runtime.voices, voiceLanguages: runtime.voices.languages }));
  return app;
}
