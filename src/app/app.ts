import rateLimit from '@fastify/rate-limit';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { redactInternals } from '../core/redact.ts';
import { ApiKeys } from '../transports/auth.ts';
import { AuthFailures } from '../transports/auth-failures.ts';
import { clientTokens } from '../transports/client-tokens.ts';
import { originCheck } from '../transports/origin.ts';
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
    ...(config.access.trustedProxies.length > 0 && { trustProxy: config.access.trustedProxies }),
  });

  // Counts every replica shares when there is Redis; each process counts alone while it is unreachable.
  const limitsRedis = config.redisUrl ? await rateLimitRedis(config.redisUrl, runtime.log) : undefined;
  if (limitsRedis) {
    app.addHook('onClose', async () => {
      await limitsRedis.quit().catch(() => limitsRedis.disconnect());
    });
  }
  // Every route, upgrades included: per client address and minute, 429 with Retry-After past it.
  await app.register(rateLimit, {
    max: config.access.httpRequestsPerMinute,
    timeWindow: 60_000,
    allowList: config.access.rateLimitExempt,
    ...(limitsRedis && { redis: limitsRedis, nameSpace: 's2s:http-requests:', skipOnError: true }),
  });
  await app.register(websocket, {
    options: { maxPayload: config.limits.maxFrameBytes },
    errorHandler: socketErrorHandler(),
    // Replaces the plugin's own close-everything: interrupted turns still send their ends, then clients learn why
    // the connection ends.
    preClose: () => runtime.sessions.endAll('shutting_down', 'the gateway is shutting down'),
  });
  // After the WebSocket plugin's own hook, which marks upgrades (request.ws) so a refused one's socket is closed.
  const authFailures = new AuthFailures(
    config.access.authFailuresPerMinute,
    limitsRedis && { redis: limitsRedis, keyPrefix: `s2s:auth-failures:${keySetId(config.server.apiKeys)}` },
  );
  app.addHook('onRequest', authFailures.refuseBlocked);
  app.addHook('onRequest', originCheck(config.access.allowedOrigins));

  const keys = new ApiKeys(config.server.apiKeys, (request) => authFailures.record(request));
  const deps: TransportDeps = {
    openSession: (sink, trace, owner) => runtime.sessions.open(sink, trace, owner),
    keyCheck: keys.enabled ? (request) => keys.credentialOf(request) !== undefined : undefined,
    ownerOf: (request) => keys.credentialOf(request)?.keyId,
    handshakeTimeoutMs: config.access.handshakeTimeoutMs,
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
  };
  await openApi(app, { keyCheck: deps.keyCheck, version: GATEWAY_VERSION });
  await app.register(operations(runtime));
  await app.register(clientTokens(keys, config.access.clientTokenTtlS));
  await app.register(openAiAudio(speechDeps));
  await app.register(seedVoiceChat(speechDeps, () => ({ asr: runtime.asr.ready, tts: runtime.voices.all.every((voice) => voice.slot.ready) })));
  await app.register(seedTtsServer({ ...speechDeps, openSession: deps.openSession, ownerOf: deps.ownerOf }, config.limits.maxBufferedAudioMs));
  await app.register(protocolV1(deps));
  await app.register(realtime(deps, config.vad));
  await app.register(webClient({ keyCheck: deps.keyCheck, voices: runtime.voices, voiceLanguages: runtime.voices.languages }));
  return app;
}

/**
 * A peer's fault on a WebSocket (an oversized frame, a reset) is logged once per connection at warn, without a
 * stack: a client sending junk must not flood the log. Anything else is the gateway's own bug and logged in full.
 */
function socketErrorHandler() {
  const reported = new WeakSet<object>();
  return (error: Error & { code?: string }, socket: WebSocket, request: FastifyRequest): void => {
    const peersFault = typeof error.code === 'string' && (error.code.startsWith('WS_ERR_') || /^E[A-Z]+$/.test(error.code));
    if (!peersFault) request.log.error({ err: error }, 'websocket handler failed');
    else if (!reported.has(socket)) request.log.warn({ code: error.code, reason: error.message }, 'websocket connection failed');
    reported.add(socket);
    socket.terminate();
  };
}

/**
 * The connection the rate limits count on. A count that cannot be had at once is skipped (no offline queue, one
 * short try): a limit must never hold a request up. Start-up waits briefly for it, so the first requests count
 * with the other replicas', but not for a Redis that is down.
 */
async function rateLimitRedis(url: string, log: Logger): Promise<Redis> {
  const redis = new Redis(url, { connectTimeout: 2_000, commandTimeout: 500, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  // The session store reports Redis trouble already; this connection retries on its own.
  redis.on('error', (err: Error) => log.debug({ err: redactInternals(err.message) }, 'rate-limit redis error'));
  await once(redis, 'ready', { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
  return redis;
}

/** Names this deployment's auth-failure counts without putting its keys in Redis: replicas share the same keys. */
function keySetId(apiKeys: readonly string[]): string {
  return createHash('sha256').update([...apiKeys].sort().join('\n')).digest('hex').slice(0, 16);
}
