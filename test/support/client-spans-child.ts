/**
 * Child process of src/observability/client-spans-join-the-turn.test.ts, run under the bootstrap: inside one turn
 * span it queries Postgres, pings Redis and fetches from a loopback server, then, outside any span, does each once
 * more (what a background probe does), then flushes and exits.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { shutdownTelemetry } from '../../src/observability/telemetry.ts';
import { SPAN, startChildSpan } from '../../src/observability/tracing.ts';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';

const [postgresUrl, redisUrl, httpUrl] = [process.env.FIXTURE_POSTGRES_URL, process.env.FIXTURE_REDIS_URL, process.env.FIXTURE_HTTP_URL];
if (!postgresUrl || !redisUrl || !httpUrl) throw new Error('FIXTURE_POSTGRES_URL, FIXTURE_REDIS_URL and FIXTURE_HTTP_URL are required');

const pool = new pg.Pool({ connectionString: postgresUrl });
const redis = new Redis(redisUrl, { lazyConnect: true });
await redis.connect();
await pool.query('SELECT 1');

const useEveryClient = async () => {
  await pool.query('SELECT $1::int AS answer', [42]);
  await redis.ping();
  await (await fetch(httpUrl)).text();
};

const turn = startChildSpan(ROOT_CONTEXT, SPAN.turn);
await context.with(turn.context, useEveryClient);
turn.span.end();
await useEveryClient();

await pool.end();
redis.disconnect();
await shutdownTelemetry(AbortSignal.timeout(10_000));
process.stdout.write(`${JSON.stringify({ traceId: turn.span.spanContext().traceId, spanId: turn.span.spanContext().spanId })}\n`);
