import { after, before } from 'node:test';
import pg from 'pg';
import { startLlmServer, type LlmServer } from './llm-server.ts';
import { spawnGateway, type ChildGateway } from './spawn-gateway.ts';
import { TcpRelay } from './tcp-relay.ts';
import { until } from './until.ts';
import type { TestClient } from './ws-client.ts';

// The real local PostgreSQL and Redis; override with S2S_TEST_POSTGRES_URL / S2S_TEST_REDIS_URL.
export const POSTGRES_URL = process.env.S2S_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.S2S_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Store settings for chaos tests: the same code paths as production, on a faster clock (retries capped at 1 s
 * instead of 30 s, 2 s query timeout instead of 5 s) so an outage of many retry cycles fits in a test.
 */
export const CHAOS_STORES = { retryMinMs: 100, retryMaxMs: 1_000, queryTimeoutMs: 2_000, probeIntervalMs: 300 };

export async function relayTo(url: string): Promise<TcpRelay> {
  const parsed = new URL(url);
  return TcpRelay.start({ host: parsed.hostname, port: Number(parsed.port) });
}

export interface Readiness {
  status: number;
  body: { ready: boolean; checks: Record<string, { reachable?: boolean; error?: string; state?: string }> };
}

export async function readiness(baseUrl: string): Promise<Readiness> {
  const response = await fetch(`${baseUrl}/ready`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as Readiness['body'] };
}

export function untilReady(baseUrl: string, timeoutMs = 60_000): Promise<Readiness> {
  return until<Readiness | undefined>('/ready to answer 200', async () => {
    const ready = await readiness(baseUrl);
    return ready.status === 200 ? ready : undefined;
  }, timeoutMs) as Promise<Readiness>;
}

/** One text turn: resolves with its response_end, or with the error that ended it. */
export async function textTurn(client: TestClient, text: string, timeoutMs = 30_000) {
  const ends = client.messages('response_end').length;
  const errors = client.messages('error').length;
  client.send({ type: 'text_input', text });
  // A failed turn may send its error and its response_end together: any error since the input fails the turn.
  await Promise.race([client.next('response_end', { after: ends, timeoutMs }), client.next('error', { after: errors, timeoutMs })]);
  const error = client.messages('error')[errors];
  return error ? { ok: false as const, error } : { ok: true as const, end: client.messages('response_end')[ends]! };
}

/** The user and assistant messages (no system prompt) of the LLM request `index`. */
export function conversationOf(llm: LlmServer, index: number): Array<[string, unknown]> {
  return (llm.requests[index]?.body.messages ?? []).filter((m) => m.role !== 'system').map((m) => [m.role, m.content]);
}

export async function forgetThreads(threadIds: string[]): Promise<void> {
  const client = new pg.Client(POSTGRES_URL);
  await client.connect();
  for (const table of ['checkpoints', 'checkpoint_writes', 'checkpoint_blobs']) {
    await client.query(`DELETE FROM ${table} WHERE thread_id = ANY($1)`, [threadIds]);
  }
  await client.end();
}

export interface ChaosGateway {
  llm: LlmServer;
  /** The gateway's way to Postgres (and to Redis when it has one): drop, pause or kill them. */
  postgres: TcpRelay;
  redis: TcpRelay;
  gateway: ChildGateway;
  /** Conversation threads the tests made, removed from Postgres after them. */
  threads: string[];
}

/**
 * An LLM stand-in and a gateway in its own process on the chaos clock, reaching the real Postgres (and Redis with
 * `redis`) through relays; started before the file's tests (ready unless the stores are down at start), closed
 * after them.
 */
export function useChaosGateway(options: { redis?: boolean; storesDownAtStart?: boolean } = {}): ChaosGateway {
  const chaos = { threads: [] as string[] } as ChaosGateway;
  before(async () => {
    chaos.llm = await startLlmServer({ script: { text: 'Your order ships on Monday.' } });
    chaos.postgres = await relayTo(POSTGRES_URL);
    chaos.redis = await relayTo(REDIS_URL);
    if (options.storesDownAtStart) await Promise.all([chaos.postgres.kill(), chaos.redis.kill()]);
    chaos.gateway = await spawnGateway({
      llm: { baseUrl: chaos.llm.url },
      postgresUrl: chaos.postgres.through(POSTGRES_URL),
      ...(options.redis && { redisUrl: chaos.redis.through(REDIS_URL) }),
      stores: CHAOS_STORES,
    });
    if (!options.storesDownAtStart) await untilReady(chaos.gateway.url);
  });
  after(async () => {
    await chaos.gateway?.close();
    await chaos.postgres?.close();
    await chaos.redis?.close();
    await chaos.llm?.close();
    await forgetThreads(chaos.threads);
  });
  return chaos;
}
