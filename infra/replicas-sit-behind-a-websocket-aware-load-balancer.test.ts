import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { writeDashboardsFixture } from './dashboards-fixture.ts';
import { container, containers, envOf, runStackWithMocks } from './mocked-stack.ts';

const stack = await runStackWithMocks({
  config: { gpu: 'none', replicas: '3', gatewayPort: '8443', alertWebhookUrl: '' },
  secretConfig: { alertWebhookUrl: 'https://hooks.example/alert?token=t0ken' },
  dashboardsDir: writeDashboardsFixture(),
});
const REPLICAS = ['gateway-1', 'gateway-2', 'gateway-3'];
const uploaded = (alias: string, path: string) =>
  ((container(stack, alias).inputs.uploads ?? []) as { file: string; content: string }[]).find((u) => u.file === path)?.content ?? assert.fail(`${alias} has no ${path}`);

test('replicas: 3 runs three gateways from one image, each with its own models volume and the same settings', () => {
  const gateways = containers(stack).filter((c) => c.name.startsWith('gateway-') && c.name !== 'gateway-lb');
  assert.deepEqual(gateways.map((c) => c.name).sort(), REPLICAS);
  assert.equal(new Set(gateways.map((c) => c.inputs.image)).size, 1);
  const volumes = gateways.map((c) => (c.inputs.volumes as { volumeName: string }[])[0]?.volumeName);
  assert.equal(new Set(volumes).size, 3, 'two processes never download into the same files');
  // Shared state: every replica reaches the same Redis and Postgres, so a session resumes on any of them.
  const envs = gateways.map(envOf);
  for (const key of ['S2S_REDIS_URL', 'S2S_POSTGRES_URL', 'S2S_API_KEYS', 'S2S_LLM_BASE_URL']) {
    assert.equal(new Set(envs.map((e) => e.get(key))).size, 1, key);
    assert.ok(envs[0]?.get(key), key);
  }
});

test('only the load balancer publishes the gateway port; the replicas are reachable on the private network only', () => {
  for (const name of REPLICAS) assert.equal(container(stack, name).inputs.ports, undefined, name);
  assert.deepEqual(container(stack, 'gateway-lb').inputs.ports, [{ internal: 8080, external: 8443, ip: '127.0.0.1' }]);
  assert.equal(stack.outputs.gatewayUrl, 'http://localhost:8443');
  assert.equal(stack.outputs.gatewayReplicas, 3);
});

test('HAProxy routes new connections to ready replicas only and keeps WebSockets open as tunnels', () => {
  assert.match(String(container(stack, 'gateway-lb').inputs.image), /^haproxy:/);
  const config = uploaded('gateway-lb', '/usr/local/etc/haproxy/haproxy.cfg');
  assert.match(config, /^\s+option httpchk GET \/ready$/m);
  assert.match(config, /^\s+http-check expect status 200$/m);
  assert.match(config, /^\s+timeout tunnel 1h$/m, 'an open WebSocket is not cut after the HTTP timeouts');
  assert.match(config, /^\s+balance leastconn$/m);
  for (const name of REPLICAS) assert.match(config, new RegExp(`^\\s+server ${name} ${name}:8080$`, 'm'));
  assert.match(config, /nameserver dns 127\.0\.0\.11:53/, "Docker's DNS, so a replaced replica is found again");
});

test('Prometheus scrapes every replica and sends alerts to Alertmanager', () => {
  const config = parseYaml(uploaded('prometheus', '/etc/prometheus/prometheus.yml')) as {
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  };
  const job = config.scrape_configs.find((j) => j.job_name === 's2s-gateway');
  assert.deepEqual(job?.static_configs, [{ targets: ['gateway-1:8080', 'gateway-2:8080', 'gateway-3:8080'] }]);
  assert.deepEqual(config.alerting.alertmanagers[0]?.static_configs[0]?.targets, ['alertmanager:9093']);
});
