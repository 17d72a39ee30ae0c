import { z } from 'zod';

// Leaves accept their native type (from a config file) or a string (from the environment).
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);
const list = z.union([
  z.array(z.string().min(1)),
  z.string().transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0)),
]);
const url = z.url();

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

const asr = z.strictObject({
  /** A catalog name (see `npm run models -- list`) or a path to a ggml model file. */
  model: z.string().min(1).default('base'),
  /** The whisper.cpp build: prebuilt CPU, Vulkan or CUDA, or HIP (ROCm) as built by docker/Dockerfile.rocm. */
  variant: z.enum(['default', 'vulkan', 'cuda', 'hip']).default('default'),
  useGpu: bool.default(false),
  poolSize: int(1, 64).default(1),
  threads: int(1, 256).default(2),
  partialIntervalMs: int(100, 10_000).default(500),
  // Whisper hears 30 s at a time; the engine keeps the last 30 s of anything longer.
  maxUtteranceMs: int(1_000, 30_000).default(30_000),
  /** Queued final transcriptions beyond the pool; past it a request fails with `asr_busy`. */
  maxQueue: int(0, 10_000).default(64),
});

const vad = z.strictObject({
  threshold: num(0.01, 0.99).default(0.5),
  minSpeechMs: int(0, 5_000).default(250),
  minSilenceMs: int(32, 10_000).default(500),
  prefixPaddingMs: int(0, 2_000).default(300),
  bargeInMinSpeechMs: int(0, 5_000).default(300),
});

const tts = z.strictObject({
  /** Piper in-process, or a coqui-ai/xtts-streaming-server over HTTP. */
  engine: z.enum(['piper', 'xtts']).default('piper'),
  /** A catalog name or a path to a Piper `voice.onnx` (its `.onnx.json` beside it). */
  voice: z.string().min(1).default('en_US-lessac-medium'),
  /** Voices per session language, e.g. `{"zh": "zh_CN-huayan-medium"}`; falls back to `voice`. */
  voicesByLang: z.record(z.string(), z.string().min(1)).default({}),
  threads: int(1, 256).default(1),
  // One worker queues phrases behind each other once a few sessions speak at once (measured at 50 sessions).
  phonemizerWorkers: int(1, 32).default(2),
  /** Worker threads running the voice model (onnxruntime's run is synchronous): each holds a copy of the model. */
  inferenceWorkers: int(1, 32).default(1),
  /** Base URL of the XTTS streaming server; required when engine is xtts. */
  xttsUrl: url.optional(),
  /** A studio speaker of the XTTS server (GET /studio_speakers). */
  xttsSpeaker: z.string().min(1).default('Claribel Dervla'),
  /** For sessions whose language the server does not list. */
  xttsLanguage: z.string().min(1).default('en'),
  /** How long the XTTS server may be silent: before answering, before first audio, or between two pieces. */
  xttsTimeoutMs: int(100, 600_000).default(10_000),
}).refine((t) => t.engine !== 'xtts' || t.xttsUrl !== undefined, { message: 'tts.engine xtts needs tts.xttsUrl (S2S_TTS_XTTS_URL)', path: ['xttsUrl'] });

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
  asr: asr.default(asr.parse({})),
  vad: vad.default(vad.parse({})),
  tts: tts.default(tts.parse({})),
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
