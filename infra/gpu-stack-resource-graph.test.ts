import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as pulumi from '@pulumi/pulumi';
import { writeDashboardsFixture } from './dashboards-fixture.ts';
import { container, containers, envOf, resolve, runStackWithMocks } from './mocked-stack.ts';

const stack = await runStackWithMocks({
  config: {
    gpu: 'rocm',
    videoGid: '44',
    renderGid: '991',
    gatewayPort: '9443',
    grafanaPort: '3300',
    gatewayImage: 'registry.example/s2s-gateway:1.2.3-rocm',
    llmImage: 'ghcr.io/ggml-org/llama.cpp:server-vulkan-b7964',
    postgresImage: 'postgres:17.6-bookworm',
    publicHost: 'strix.lan',
  },
  dashboardsDir: writeDashboardsFixture(),
});
const ALIASES = ['postgres', 'redis', 'qdrant', 'llm', 'embeddings', 'otel-collector', 'tempo', 'prometheus', 'alertmanager', 'grafana', 'gateway'];

test('the stack runs every service as a container', () => {
  assert.deepEqual(containers(stack).map((c) => c.name).sort(), [...ALIASES].sort());
});

test('every container is on the private network, under its alias', () => {
  const network = stack.resources.find((r) => r.type === 'docker:index/network:Network');
  assert.ok(network, 'a network exists');
  for (const c of containers(stack)) {
    assert.deepEqual(c.inputs.networksAdvanced, [{ name: network.inputs.name, aliases: [c.name] }], c.name);
  }
});

test('GPU devices and groups go to the gateway and the LLM server only', () => {
  for (const c of containers(stack)) {
    const devices = ((c.inputs.devices ?? []) as { hostPath: string }[]).map((d) => d.hostPath);
    if (c.name === 'gateway' || c.name === 'llm') {
      assert.deepEqual(devices, ['/dev/kfd', '/dev/dri'], c.name);
      assert.deepEqual(c.inputs.groupAdds, ['44', '991'], c.name);
    } else {
      assert.deepEqual(devices, [], c.name);
      assert.deepEqual(c.inputs.groupAdds ?? [], [], c.name);
    }
  }
});

test('every container has a healthcheck, waits for it, and restarts', () => {
  for (const c of containers(stack)) {
    const healthcheck = c.inputs.healthcheck as { tests?: string[] } | undefined;
    assert.ok(healthcheck?.tests && healthcheck.tests[0] === 'CMD' && healthcheck.tests.length > 1, c.name);
    assert.equal(c.inputs.wait, true, c.name);
    assert.equal(c.inputs.restart, 'unless-stopped', c.name);
  }
});

test('the gateway is liveness-probed (/health) with node, with a long start period for model loading', () => {
  const healthcheck = container(stack, 'gateway').inputs.healthcheck as { tests: string[]; startPeriod: string };
  assert.deepEqual(healthcheck.tests.slice(0, 3), ['CMD', 'node', '-e']);
  assert.match(healthcheck.tests[3] ?? '', /fetch\('http:\/\/127\.0\.0\.1:8080\/health'\)/);
  assert.equal(healthcheck.startPeriod, '15m');
});

test('the Qdrant probe uses bash only, as the image has no curl or wget', () => {
  const tests = (container(stack, 'qdrant').inputs.healthcheck as { tests: string[] }).tests;
  assert.deepEqual(tests.slice(0, 3), ['CMD', 'bash', '-c']);
  assert.match(tests[3] ?? '', /\/dev\/tcp\/127\.0\.0\.1\/6333/);
});

test('images come from config, pinned by tag', () => {
  assert.equal(container(stack, 'gateway').inputs.image, 'registry.example/s2s-gateway:1.2.3-rocm');
  assert.equal(container(stack, 'llm').inputs.image, 'ghcr.io/ggml-org/llama.cpp:server-vulkan-b7964');
  for (const c of containers(stack)) {
    const image = c.inputs.image as string;
    assert.match(image, /:[\w.-]+$/, `${c.name} image ${image} has a tag`);
    assert.doesNotMatch(image, /:latest$/, `${c.name} image ${image} is not :latest`);
  }
});

test('only the gateway and Grafana publish ports, on the configured numbers', () => {
  const published = containers(stack).filter((c) => ((c.inputs.ports ?? []) as unknown[]).length > 0);
  assert.deepEqual(published.map((c) => c.name).sort(), ['gateway', 'grafana']);
  assert.deepEqual(container(stack, 'gateway').inputs.ports, [{ internal: 8080, external: 9443, ip: '127.0.0.1' }]);
  assert.deepEqual(container(stack, 'grafana').inputs.ports, [{ internal: 3000, external: 3300, ip: '127.0.0.1' }]);
});

test('the gateway reaches every service by container name', () => {
  const env = envOf(container(stack, 'gateway'));
  assert.equal(env.get('S2S_HOST'), '0.0.0.0');
  assert.equal(env.get('S2S_LLM_BASE_URL'), 'http://llm:8080/v1');
  assert.equal(env.get('S2S_REDIS_URL'), 'redis://redis:6379');
  assert.equal(env.get('S2S_QDRANT_URL'), 'http://qdrant:6333');
  assert.match(env.get('S2S_POSTGRES_URL') ?? '', /^postgres:\/\/s2s:[^@]+@postgres:5432\/s2s$/);
  assert.equal(env.get('OTEL_EXPORTER_OTLP_ENDPOINT'), 'http://otel-collector:4318');
  assert.equal(env.get('S2S_ASR_VARIANT'), 'hip');
  assert.equal(env.get('S2S_ASR_USE_GPU'), 'true');
  assert.equal(env.get('S2S_MODELS_DIR'), '/var/lib/s2s/models');
  const volumes = container(stack, 'gateway').inputs.volumes as { containerPath: string }[];
  assert.deepEqual(volumes.map((v) => v.containerPath), ['/var/lib/s2s/models']);
});

test('the gateway has memory and CPU limits', () => {
  const gateway = container(stack, 'gateway');
  assert.equal(gateway.inputs.memory, 16384);
  assert.equal(gateway.inputs.cpus, '8');
});

test('generated secrets reach containers only through env lists sent as secrets', () => {
  assert.equal(stack.generatedSecrets.length, 5, 'postgres, llm key, embeddings key, grafana admin, gateway api key');
  const holders = containers(stack).filter((c) => stack.generatedSecrets.some((s) => JSON.stringify(c.inputs).includes(s)));
  assert.deepEqual(holders.map((c) => c.name).sort(), ['embeddings', 'gateway', 'grafana', 'llm', 'postgres']);
  for (const c of holders) {
    assert.ok(c.secretInputs.has('envs'), `${c.name} envs are secret`);
    const { envs: _envs, ...rest } = c.inputs;
    for (const secret of stack.generatedSecrets) assert.ok(!JSON.stringify(rest).includes(secret), `${c.name} holds a secret outside envs`);
  }
});

test('plain outputs hold no secret; keys and passwords are secret outputs', async () => {
  const { gatewayApiKeys, grafanaAdminPassword, gatewayImage, alertReceiver, ...plain } = stack.outputs;
  assert.equal(await resolve(gatewayImage), 'registry.example/s2s-gateway:1.2.3-rocm');
  assert.match(await resolve(alertReceiver), /^none: set alertWebhookUrl/);
  assert.equal(await pulumi.isSecret(gatewayApiKeys), true);
  assert.equal(await pulumi.isSecret(grafanaAdminPassword), true);
  assert.ok(stack.generatedSecrets.includes(await resolve(gatewayApiKeys)));
  for (const secret of stack.generatedSecrets) assert.ok(!JSON.stringify(plain).includes(secret));
  assert.deepEqual(plain, {
    gatewayUrl: 'http://strix.lan:9443',
    gatewayWebSocketUrl: 'ws://strix.lan:9443/ws/s2s',
    grafanaUrl: 'http://strix.lan:3300',
    gatewayReplicas: 1,
  });
});

test('dashboards and Prometheus files are uploaded where the images read them', () => {
  const uploaded = (alias: string) => ((container(stack, alias).inputs.uploads ?? []) as { file: string }[]).map((u) => u.file);
  assert.deepEqual(uploaded('prometheus'), ['/etc/prometheus/prometheus.yml', '/etc/prometheus/rules.yml']);
  assert.deepEqual(uploaded('grafana'), [
    '/etc/grafana/provisioning/datasources/prometheus.yaml',
    '/etc/grafana/provisioning/dashboards/s2s.yaml',
    '/etc/grafana/dashboards/s2s-overview.json',
  ]);
  assert.deepEqual(uploaded('otel-collector'), ['/etc/otelcol-contrib/config.yaml']);
});
