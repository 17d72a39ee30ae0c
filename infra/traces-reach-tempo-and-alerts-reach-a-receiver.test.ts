import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { container, resolve, runStackWithMocks } from './mocked-stack.ts';

const WEBHOOK = 'https://hooks.example/alert?token=t0ken';
// The real dashboards/ tree: the datasources Grafana gets are the repository's.
const stack = await runStackWithMocks({
  config: { gpu: 'none' },
  secretConfig: { alertWebhookUrl: WEBHOOK },
  dashboardsDir: fileURLToPath(new URL('../dashboards', import.meta.url)),
});
const uploads = (alias: string) => (container(stack, alias).inputs.uploads ?? []) as { file: string; content: string }[];
const uploaded = (alias: string, path: string) => uploads(alias).find((u) => u.file === path)?.content ?? assert.fail(`${alias} has no ${path}`);

test('the collector forwards traces to Tempo, which keeps them on a volume', () => {
  const collector = parseYaml(uploaded('otel-collector', '/etc/otelcol-contrib/config.yaml')) as {
    exporters: Record<string, { endpoint?: string }>;
    service: { pipelines: { traces: { exporters: string[] } } };
  };
  const exporters = collector.service.pipelines.traces.exporters;
  assert.deepEqual(exporters.map((name) => collector.exporters[name]?.endpoint), ['tempo:4317']);
  const tempo = parseYaml(uploaded('tempo', '/etc/tempo/tempo.yaml')) as {
    distributor: { receivers: { otlp: { protocols: { grpc: { endpoint: string } } } } };
    server: { http_listen_port: number };
  };
  assert.equal(tempo.distributor.receivers.otlp.protocols.grpc.endpoint, '0.0.0.0:4317');
  assert.equal(tempo.server.http_listen_port, 3200);
  assert.deepEqual((container(stack, 'tempo').inputs.volumes as { containerPath: string }[]).map((v) => v.containerPath), ['/var/tempo']);
});

test("Grafana has a Tempo datasource and Prometheus's exemplars (label trace_id) link to it", () => {
  const datasources = uploads('grafana')
    .filter((u) => u.file.startsWith('/etc/grafana/provisioning/datasources/'))
    .flatMap((u) => (parseYaml(u.content) as { datasources: { uid: string; type: string; url: string; jsonData?: Record<string, unknown> }[] }).datasources);
  const tempo = datasources.find((d) => d.type === 'tempo');
  assert.equal(tempo?.url, 'http://tempo:3200');
  const prometheus = datasources.find((d) => d.type === 'prometheus');
  assert.deepEqual(prometheus?.jsonData?.exemplarTraceIdDestinations, [{ name: 'trace_id', datasourceUid: tempo?.uid }]);
  // The label the gateway puts on its exemplars.
  assert.match(readFileSync(new URL('../src/observability/metrics.ts', import.meta.url), 'utf8'), /trace_id: traceId/);
});

test('Alertmanager posts every alert to the configured webhook, and its config travels as a secret', () => {
  const alertmanager = container(stack, 'alertmanager');
  assert.ok(alertmanager.secretInputs.has('uploads'), 'the webhook URL carries a token');
  const config = parseYaml(uploaded('alertmanager', '/etc/alertmanager/alertmanager.yml')) as {
    route: { receiver: string };
    receivers: { name: string; webhook_configs?: { url: string; send_resolved: boolean }[] }[];
  };
  const receiver = config.receivers.find((r) => r.name === config.route.receiver);
  assert.deepEqual(receiver?.webhook_configs, [{ url: WEBHOOK, send_resolved: true }]);
});

test('the alertReceiver output names the webhook host, never its token', async () => {
  assert.equal(await resolve(stack.outputs.alertReceiver), 'webhook on hooks.example');
});

test('the rules Prometheus loads include the readiness, LLM and ASR queue alerts', () => {
  const rules = uploaded('prometheus', '/etc/prometheus/rules.yml');
  for (const alert of ['S2SGatewayNotReady', 'S2SLlmUnavailable', 'S2SAsrQueueDeep']) assert.match(rules, new RegExp(`alert: ${alert}\\b`));
});
