import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { allQueries } from '../../dashboards/queries.ts';
import { STAGES } from '../../src/core/errors.ts';
import { GatewayMetrics } from '../../src/observability/metrics.ts';
import { startPrometheus } from './prometheus.ts';

trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] }),
);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

/** One turn of every kind the dashboards show, observed inside a turn span so latencies carry exemplars. */
function observeTurns(metrics: GatewayMetrics, turnSpanIds: Set<string>): void {
  const turn = trace.getTracer('test').startSpan('s2s.turn');
  turnSpanIds.add(turn.spanContext().traceId);
  context.with(trace.setSpan(ROOT_CONTEXT, turn), () => {
    STAGES.forEach((stage, i) => metrics.observeStage(stage, 0.05 * (i + 1)));
    metrics.llmTimeToFirstToken(0.25);
    metrics.timeToFirstAudio(0.6);
    metrics.voiceToVoice(0.9);
  });
  turn.end();
  metrics.turnEnded('completed');
  metrics.turnEnded('interrupted');
  metrics.interrupted('barge_in');
  metrics.error('llm_timeout');
}

test('a real Prometheus scrapes the metrics module and evaluates every dashboard and rule query without error', async (t) => {
  const metrics = GatewayMetrics.create();
  const acceptHeaders = new Set<string>();
  const server = createServer((req, res) => {
    acceptHeaders.add(req.headers.accept ?? '');
    void metrics.render(req.headers.accept).then(({ contentType, body }) => {
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  metrics.sessionOpened();
  const traceIds = new Set<string>();
  observeTurns(metrics, traceIds);
  const turns = setInterval(() => observeTurns(metrics, traceIds), 250);

  // Without this, a Prometheus that cannot start leaves the interval and the server holding the test open for good.
  const prometheus = await startPrometheus({ scrapeTarget: `127.0.0.1:${port}`, scrapeIntervalS: 1 }).catch((err: unknown) => {
    clearInterval(turns);
    server.close();
    throw err;
  });
  try {
    // Rate windows need two scrapes, and the error ratio rule reads what the recording rules wrote.
    await prometheus.waitForSamples('s2s_voice_to_voice_seconds_bucket', { scrapes: 3 });
    await prometheus.waitForSamples('job:s2s_error_ratio:rate5m');
    clearInterval(turns);

    const empty: string[] = [];
    const failed: string[] = [];
    const queries = allQueries();
    for (const { source, kind, expr } of queries) {
      try {
        const { result } = await prometheus.query(expr);
        if (result.length === 0) empty.push(`${kind} ${source}`);
      } catch (err) {
        failed.push(`${source}: ${(err as Error).message}`);
      }
    }
    t.diagnostic(`${queries.length} queries, empty: ${empty.length === 0 ? 'none' : empty.join('; ')}`);
    assert.deepEqual(failed, []);
    // Healthy turns fire no alert; everything an operator looks at shows data.
    assert.deepEqual(
      empty.filter((entry) => !entry.startsWith('alert ')),
      [],
    );

    assert.ok([...acceptHeaders].every((accept) => accept.includes('application/openmetrics-text')));
    const exemplars = await prometheus.queryExemplars('s2s_voice_to_voice_seconds_bucket');
    const exemplarTraceIds = exemplars.flatMap((series) => series.exemplars.map((e) => e.labels.trace_id));
    assert.ok(exemplarTraceIds.length > 0, 'exemplars stored');
    for (const traceId of exemplarTraceIds) assert.ok(traceIds.has(traceId ?? ''), `exemplar ${traceId} is a turn's trace`);
  } finally {
    clearInterval(turns);
    await prometheus.close();
    server.close();
  }
});
