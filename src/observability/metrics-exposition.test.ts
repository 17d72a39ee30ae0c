import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { STAGES } from '../core/errors.ts';
import { GatewayMetrics, LATENCY_BUCKETS_S, acceptsOpenMetrics } from './metrics.ts';

trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] }),
);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

/** Accept header of Prometheus 2.42 scrapes. */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,' +
  'text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

function observeOneTurn(metrics: GatewayMetrics): void {
  metrics.sessionOpened();
  metrics.observeStage('asr', 0.12);
  metrics.llmTimeToFirstToken(0.3);
  metrics.timeToFirstAudio(0.45);
  metrics.voiceToVoice(0.8);
  metrics.turnEnded('completed');
  metrics.interrupted('barge_in');
  metrics.error('tts_failed');
}

test('the plain text exposition has every metric of docs/observability.md with its labels and the voice latency buckets', async () => {
  const metrics = GatewayMetrics.create();
  observeOneTurn(metrics);
  const { contentType, body } = await metrics.render('*/*');
  assert.equal(contentType, 'text/plain; version=0.0.4; charset=utf-8');
  for (const line of [
    '# TYPE s2s_stage_duration_seconds histogram',
    's2s_stage_duration_seconds_count{stage="asr"} 1',
    's2s_voice_to_voice_seconds_count 1',
    's2s_time_to_first_audio_seconds_count 1',
    's2s_llm_time_to_first_token_seconds_count 1',
    's2s_active_sessions 1',
    '# TYPE s2s_turns_total counter',
    's2s_turns_total{outcome="completed"} 1',
    's2s_interruptions_total{kind="barge_in"} 1',
    's2s_errors_total{stage="tts",code="tts_failed"} 1',
  ]) {
    assert.ok(body.split('\n').includes(line), line);
  }
  // Every label value exists before its first event, so rate() has a series to work on.
  for (const stage of STAGES) assert.match(body, new RegExp(`s2s_stage_duration_seconds_count\\{stage="${stage}"\\} `));
  for (const outcome of ['interrupted', 'failed', 'empty']) assert.ok(body.includes(`s2s_turns_total{outcome="${outcome}"} 0`));
  for (const kind of ['client', 'new_input']) assert.ok(body.includes(`s2s_interruptions_total{kind="${kind}"} 0`));

  const bounds = [...body.matchAll(/^s2s_voice_to_voice_seconds_bucket\{le="([^"]+)"\}/gm)].map((m) => m[1]);
  assert.deepEqual(bounds, [...LATENCY_BUCKETS_S.map(String), '+Inf']);
  assert.equal(LATENCY_BUCKETS_S[0], 0.01);
  assert.equal(LATENCY_BUCKETS_S.at(-1), 10);

  for (const name of [
    'process_cpu_seconds_total',
    'process_resident_memory_bytes',
    'nodejs_heap_size_used_bytes',
    'nodejs_eventloop_lag_p99_seconds',
    'nodejs_gc_duration_seconds',
  ]) {
    assert.match(body, new RegExp(`^# TYPE ${name} `, 'm'), name);
  }
  assert.doesNotMatch(body, / # \{/, 'no exemplars in the plain format');
});

test('a scraper asking for OpenMetrics gets it, with the active span as exemplar of each latency', async () => {
  const metrics = GatewayMetrics.create();
  const turn = trace.getTracer('test').startSpan('s2s.turn');
  const { traceId, spanId } = turn.spanContext();
  context.with(trace.setSpan(ROOT_CONTEXT, turn), () => observeOneTurn(metrics));
  turn.end();

  const { contentType, body } = await metrics.render(PROMETHEUS_ACCEPT);
  assert.equal(contentType, 'application/openmetrics-text; version=1.0.0; charset=utf-8');
  assert.ok(body.endsWith('# EOF\n'));
  assert.ok(body.includes('# TYPE s2s_turns counter\n'));
  assert.ok(body.includes('s2s_turns_total{outcome="completed"} 1\n'));
  const exemplar = `# {trace_id="${traceId}",span_id="${spanId}"}`;
  for (const [name, value] of [
    ['s2s_stage_duration_seconds_bucket{le="0.15",stage="asr"}', '0.12'],
    ['s2s_llm_time_to_first_token_seconds_bucket{le="0.3"}', '0.3'],
    ['s2s_time_to_first_audio_seconds_bucket{le="0.5"}', '0.45'],
    ['s2s_voice_to_voice_seconds_bucket{le="1"}', '0.8'],
  ] as const) {
    assert.match(body, new RegExp(`^${escape(name)} 1 ${escape(exemplar)} ${value} \\d+(\\.\\d+)?$`, 'm'), name);
  }
});

test('an explicit context gives the exemplar, and no recording span gives none', async () => {
  const metrics = GatewayMetrics.create();
  const turn = trace.getTracer('test').startSpan('s2s.turn');
  metrics.voiceToVoice(0.6, trace.setSpan(ROOT_CONTEXT, turn));
  metrics.timeToFirstAudio(0.6);
  turn.end();
  metrics.llmTimeToFirstToken(0.6, trace.setSpan(ROOT_CONTEXT, turn));
  const { body } = await metrics.render('application/openmetrics-text');
  assert.match(body, new RegExp(`^s2s_voice_to_voice_seconds_bucket\\{le="0.75"\\} 1 # \\{trace_id="${turn.spanContext().traceId}"`, 'm'));
  assert.match(body, /^s2s_time_to_first_audio_seconds_bucket\{le="0.75"\} 1$/m);
  assert.match(body, /^s2s_llm_time_to_first_token_seconds_bucket\{le="0.75"\} 1$/m, 'an ended span is not recording');
});

test('counters keep their _total name in the plain format after an OpenMetrics scrape', async () => {
  const metrics = GatewayMetrics.create();
  metrics.turnEnded('empty');
  await metrics.render(PROMETHEUS_ACCEPT);
  const { body } = await metrics.render(undefined);
  assert.ok(body.includes('# TYPE s2s_turns_total counter\n'));
  assert.ok(body.includes('s2s_turns_total{outcome="empty"} 1\n'));
  assert.ok(body.includes('# TYPE process_cpu_seconds_total counter\n'));
});

test('content negotiation picks OpenMetrics only when the Accept header ranks it first', () => {
  assert.equal(acceptsOpenMetrics(PROMETHEUS_ACCEPT), true);
  assert.equal(acceptsOpenMetrics('application/openmetrics-text; version=1.0.0'), true);
  assert.equal(acceptsOpenMetrics(undefined), false);
  assert.equal(acceptsOpenMetrics(''), false);
  assert.equal(acceptsOpenMetrics('*/*'), false);
  assert.equal(acceptsOpenMetrics('text/plain;version=0.0.4'), false);
  assert.equal(acceptsOpenMetrics('text/plain, application/openmetrics-text;q=0.5'), false);
  assert.equal(acceptsOpenMetrics('application/openmetrics-text;q=0'), false);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
