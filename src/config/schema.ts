import { z } from 'zod';
import type { EngineConfigSchema } from '../contracts/engine.ts';
import { engines } from '../engines/registry.ts';
import { bool, int, list, num, url } from './leaves.ts';

const server = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: int(0, 65535).default(8080),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Bearer keys accepted on the WebSocket upgrade; empty means no auth. */
  apiKeys: list.default([]),
  shutdownGraceMs: int(0, 600_000).default(10_000),
  /**
   * PEM certificate (chain) and private key files: with both, the gateway serves HTTPS and WSS. Browsers allow the
   * microphone only on secure pages, except on localhost.
   */
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
}).refine((s) => (s.tlsCert === undefined) === (s.tlsKey === undefined), {
  message: 'server.tlsCert (S2S_TLS_CERT) and server.tlsKey (S2S_TLS_KEY) go together: set both or neither',
  path: ['tlsKey'],
});

const limits = z.strictObject({
  maxSessions: int(1, 100_000).default(200),
  maxFrameBytes: int(1024, 16 * 1024 * 1024).default(256 * 1024),
  maxTextChars: int(1, 100_000).default(4_000),
  maxSessionMs: int(1_000, 7 * 24 * 3_600_000).default(3_600_000),
  idleTimeoutMs: int(1_000, 3_600_000).default(120_000),
  /** Input audio waiting for the VAD; past it the oldest audio is dropped and the client told. */
  maxBufferedAudioMs: int(100, 60_000).default(5_000),
});

type Configs<D extends readonly { config: EngineConfigSchema }[]> = { [I in keyof D]: D[I]['config'] };

/**
 * One section per engine kind: the union of its engines' config schemas, chosen by `engine` (the first listed when
 * absent, so a config that names no engine runs the defaults). Each engine's schema is strict: a key of another
 * engine is an error naming the engine that has it.
 */
function engineSection<const D extends readonly [{ id: string; config: EngineConfigSchema }, ...{ id: string; config: EngineConfigSchema }[]]>(descriptors: D) {
  // map() forgets the tuple's member types, which the union needs to give each engine its own config type.
  const union = z.discriminatedUnion('engine', descriptors.map((d) => d.config) as unknown as Configs<D>);
  return z.preprocess((value) => {
    if (value === undefined) return { engine: descriptors[0].id };
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    return isObject && !('engine' in value) ? { ...value, engine: descriptors[0].id } : value;
  }, union);
}

/** The request/response speech APIs (OpenAI audio, the seed systems' REST and STT endpoints). */
const speechApi = z.strictObject({
  /** An uploaded audio file; larger ones are refused (413) before they are decoded. */
  maxUploadBytes: int(1024, 1024 * 1024 * 1024).default(25 * 1024 * 1024),
  /** Audio to transcribe in one request; longer is refused (413). */
  maxAudioSeconds: int(1, 24 * 3600).default(600),
  /** Text to speak in one request. */
  maxInputChars: int(1, 1_000_000).default(4096),
});

const llm = z.strictObject({
  baseUrl: url.default('http://127.0.0.1:8000/v1'),
  model: z.string().min(1).default('local'),
  apiKey: z.string().default('none'),
  temperature: num(0, 2).default(0.7),
  maxTokens: int(1, 32_768).default(512),
  /** Until the first token arrives (includes connecting). */
  firstTokenTimeoutMs: int(100, 600_000).default(15_000),
  /** Between two tokens. */
  idleTimeoutMs: int(100, 600_000).default(10_000),
  totalTimeoutMs: int(1_000, 3_600_000).default(120_000),
  /** Reachability probe for `/ready`. */
  probeIntervalMs: int(1_000, 600_000).default(15_000),
});

const agent = z.strictObject({
  /** A module exporting a compiled LangGraph graph (`default` or `graph`), used instead of the built-in agent. */
  module: z.string().min(1).optional(),
  systemPrompt: z.string().min(1).optional(),
  /** One throwaway exchange with the LLM at start-up (stopped at its first token), so the first user is not slower. */
  warmUp: bool.default(true),
});

const models = z.strictObject({
  dir: z.string().min(1).default('./models'),
  mirror: url.optional(),
  /** Fetch missing catalog models at start-up. */
  autoFetch: bool.default(true),
});

export const configSchema = z.strictObject({
  server: server.default(server.parse({})),
  limits: limits.default(limits.parse({})),
  speechApi: speechApi.default(speechApi.parse({})),
  asr: engineSection(engines.asr),
  vad: engineSection(engines.vad),
  tts: engineSection(engines.tts),
  llm: llm.default(llm.parse({})),
  agent: agent.default(agent.parse({})),
  models: models.default(models.parse({})),
  redisUrl: url.optional(),
  postgresUrl: url.optional(),
  qdrantUrl: url.optional(),
  /** Put transcripts and answers on spans. */
  traceContent: bool.default(false),
});

export type Config = z.infer<typeof configSchema>;
