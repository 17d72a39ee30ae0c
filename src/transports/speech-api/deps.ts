import type { FastifyRequest } from 'fastify';
import type { GatewayMetrics } from '../../observability/metrics.ts';
import type { SpeechService } from '../../speech/speech-service.ts';

/** The limits of the request/response speech APIs (config `speechApi`). */
export interface SpeechApiLimits {
  maxUploadBytes: number;
  maxAudioSeconds: number;
  maxInputChars: number;
}

/** What the speech API transports (OpenAI audio, the seed systems' APIs) are handed. */
export interface SpeechApiDeps {
  speech: SpeechService;
  limits: SpeechApiLimits;
  keyCheck: ((request: FastifyRequest) => boolean) | undefined;
  metrics: GatewayMetrics;
}
