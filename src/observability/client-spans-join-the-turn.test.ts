import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BOOTSTRAP = fileURLToPath(new URL('./otel.ts', import.meta.url));
const CHILD = fileURLToPath(new URL('../../test/support/client-spans-child.ts', import.meta.url));
const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

test('under a turn, Postgres, Redis and HTTP client calls are spans of that turn; outside one they are not recorded', { timeout: 120_000 }, async () => {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') bodies.push(body);
      res.writeHead(200, { 'content-type': req.url === '/v1/traces' ? 'application/json' : 'text/plain' });
      res.end(req.url === '/v1/traces' ? '{}' : 'pong');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
    Object.assign(env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      FIXTURE_POSTGRES_URL: POSTGRES_URL,
      FIXTURE_REDIS_URL: REDIS_URL,
      FIXTURE_HTTP_URL: `${url}/probe`,
    });
    const child = spawn(process.execPath, ['--import', BOOTSTRAP, CHILD], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    const turn = JSON.parse(stdout) as { traceId: string; spanId: string };

    const spans = bodies.flatMap((body) =>
      (JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
    );
    const clientSpans = spans.filter((span) => span.spanId !== turn.spanId);
    // One span per call inside the turn (plus the pool handing out a connection); the calls outside left none.
    const names = clientSpans.map((span) => span.name).sort();
    assert.deepEqual(names, ['GET', 'pg-pool.connect', 'pg.query:SELECT test', 'ping']);
    for (const span of clientSpans) {
      assert.equal(span.traceId, turn.traceId, span.name);
      assert.equal(span.parentSpanId, turn.spanId, span.name);
    }
  } finally {
    server.close();
  }
});
