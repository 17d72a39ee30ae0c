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
  /**
   * On SIGTERM: running turns get this long to finish, then clients are closed with the reconnect code, and a peer
   * that has not completed the close handshake by the end is cut off.
   */
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
  /** Turns one session may start in any minute; past it a turn is refused with `turn_rate_limited`. */
  maxTurnsPerMinute: int(1, 10_000).default(30),
  /** A timer late by this much counts as an event-loop stall (`s2s_event_loop_stalls_total`). */
  eventLoopStallMs: int(20, 60_000).default(250),
});

const memory = z.strictObject({
  /**
   * Conversation history sent to the LLM and kept, in tokens (estimated at 4 characters each): older turns are
   * dropped whole, never the system prompt. Keep it under the LLM's context minus llm.maxTokens and the prompt.
   */
  maxTokens: int(200, 1_000_000).default(6_000),
  /** Without Postgres: a conversation nobody touched for this long is forgotten. */
  inMemoryIdleMs: int(1_000, 30 * 24 * 3_600_000).default(3_600_000),
});

/** How the gateway rides out Postgres and Redis outages: it retries for ever, with backoff between these bounds. */
const stores = z.strictObject({
  retryMinMs: int(10, 600_000).default(500),
  retryMaxMs: int(10, 600_000).default(30_000),
  /** A Postgres query (or connect) that takes longer fails the turn with `memory_unavailable` instead of hanging it. */
  queryTimeoutMs: int(100, 600_000).default(5_000),
  /** How often `/ready` checks Postgres. */
  probeIntervalMs: int(100, 600_000).default(5_000),
});

/** Who may use a session, from where, and how much: see the README's security section. */
const access = z.strictObject({
  /** Origins (scheme://host[:port]) allowed on WebSocket upgrades besides the gateway's own; `*` allows any. */
  allowedOrigins: list.default([]),
  /** Lifetime of a client token minted by `POST /v1/client-tokens`, unless the request asks for less. */
  clientTokenTtlS: int(10, 24 * 3600).default(600),
  /** A socket that has not started a session by then is closed; it holds no session slot before that. */
  handshakeTimeoutMs: int(100, 600_000).default(10_000),
  /** Live sessions one API key (with the client tokens it minted) may hold on this process. */
  maxSessionsPerKey: int(1, 100_000).default(100),
  /** A session's lease (one live connection) lasts this long unless renewed; renewed every third of it. */
  sessionLeaseMs: int(1_000, 600_000).default(15_000),
  /** HTTP requests (upgrades included) per client address and minute. */
  httpRequestsPerMinute: int(1, 1_000_000).default(600),
  /** Client addresses the HTTP rate limit does not apply to: by default this machine (benchmarks, local tools). */
  rateLimitExempt: list.default(['127.0.0.1', '::1', '::ffff:127.0.0.1']),
  /**
   * Addresses or CIDR ranges of reverse proxies / load balancers in front of the gateway: requests through them count
   * against the client address in X-Forwarded-For. Without it, every client behind a proxy shares the proxy's limits.
   */
  trustedProxies: list.default([]),
  /** Failed authentications per client address and minute; past them every request from it gets 429. */
  authFailuresPerMinute: int(1, 10_000).default(10),
});

/**
 * Load shedding: past any of these a new session is refused (`overloaded`) and `/ready` says 503 with the reason,
 * so a load balancer sends sessions elsewhere. 0 turns a limit off.
 */
const admission = z.strictObject({
  /** p99 event-loop delay over the last second. */
  maxEventLoopLagMs: int(0, 60_000).default(250),
  /** Utterances waiting for a speech-recognition context (keep it below `asr.maxQueue`, which refuses them). */
  maxAsrQueued: int(0, 10_000).default(32),
  /**
   * Turns speaking at once across all sessions. A spoken turn reserves one before the LLM is called and is refused
   * (`tts_busy`) without one; at the limit, new sessions are refused too. At most 256: the Piper voice's sentence
   * queue, so a reserved turn is never refused by the engine.
   */
  maxSpeakingTurns: int(1, 256).default(64),
  /** Resident memory of the process, in MiB (2^20 bytes). */
  maxRssMb: int(0, 1_048_576).default(0),
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

/** An OpenAI-compatible `/v1/embeddings` server (llama.cpp `--embeddings`, vLLM, Ollama), for knowledge search. */
const embeddings = z.strictObject({
  baseUrl: url.default('http://127.0.0.1:8001/v1'),
  model: z.string().min(1).default('local'),
  apiKey: z.string().default('none'),
  /** One request, including connecting. */
  timeoutMs: int(100, 600_000).default(10_000),
  /** Asked of models that can shorten their vectors (OpenAI's `dimensions`); unset: the model's own size. */
  dimensions: int(1, 16_384).optional(),
  /** Texts per request. */
  batchSize: int(1, 2048).default(64),
  /** Further attempts after a network error, HTTP 429 or 5xx. */
  retries: int(0, 10).default(2),
});

/** The documents the built-in agent searches with its `search_knowledge` tool. */
const knowledge = z.strictObject({
  /** Offer `search_knowledge` to the built-in agent once the store holds a document. */
  enabled: bool.default(true),
  /** The embedded store's folder (unused with `qdrantUrl`). */
  dir: z.string().min(1).default('./data/knowledge'),
  /** The Qdrant collection. */
  collection: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'letters, digits, "_" and "-" only').default('knowledge'),
  qdrantApiKey: z.string().min(1).optional(),
  /** Passages handed to the model per search. */
  topK: int(1, 50).default(4),
  /** Passages scoring below this cosine similarity are left out. */
  minScore: num(-1, 1).default(0),
  /** The whole retrieval (embedding the query and searching) within a turn; past it the turn goes on without it. */
  timeoutMs: int(50, 60_000).default(2_000),
  /** Target size of an ingested chunk, in characters. */
  chunkChars: int(200, 8_000).default(1_000),
});

/** Turn-taking beyond the VAD's silence window (README "Turn-taking"). */
const turns = z.strictObject({
  /** Silence after which the agent starts a draft answer that is sent only if the endpoint follows; 0: off. */
  speculativeAfterMs: int(0, 10_000).default(200),
  /** Silence needed depends on how finished the transcript looks, between these bounds; vad.minSilenceMs otherwise. */
  adaptiveEndpointing: bool.default(false),
  completeSilenceMs: int(32, 10_000).default(300),
  hesitantSilenceMs: int(32, 10_000).default(1_200),
  /** 'vad': any speech past vad.bargeInMinSpeechMs interrupts; 'transcript': not a backchannel ("uh-huh", "嗯"). */
  bargeIn: z.enum(['vad', 'transcript']).default('vad'),
  /** The first phrase of an answer may end at a clause boundary (a comma, or before "and", "but", ...) from this many words. */
  firstPhraseMinWords: int(1, 100).default(4),
}).refine((t) => t.completeSilenceMs <= t.hesitantSilenceMs, {
  message: 'turns.completeSilenceMs (S2S_TURNS_COMPLETE_SILENCE_MS) must not exceed turns.hesitantSilenceMs (S2S_TURNS_HESITANT_SILENCE_MS)',
  path: ['completeSilenceMs'],
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
  access: access.default(access.parse({})),
  admission: admission.default(admission.parse({})),
  speechApi: speechApi.default(speechApi.parse({})),
  asr: engineSection(engines.asr),
  vad: engineSection(engines.vad),
  tts: engineSection(engines.tts),
  /** How finished an utterance looks, for adaptive endpointing (turns.adaptiveEndpointing, or a session's semantic_vad). */
  turnDetector: engineSection(engines.turnDetector),
  llm: llm.default(llm.parse({})),
  agent: agent.default(agent.parse({})),
  turns: turns.default(turns.parse({})),
  models: models.default(models.parse({})),
  embeddings: embeddings.default(embeddings.parse({})),
  knowledge: knowledge.default(knowledge.parse({})),
  memory: memory.default(memory.parse({})),
  stores: stores.default(stores.parse({})),
  redisUrl: url.optional(),
  postgresUrl: url.optional(),
  qdrantUrl: url.optional(),
  /** Put transcripts and answers on spans. */
  traceContent: bool.default(false),
});

export type Config = z.infer<typeof configSchema>;
