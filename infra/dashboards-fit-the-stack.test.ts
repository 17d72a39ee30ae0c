// The real dashboards/ tree (written for the observability issue) as the stack mounts it: Prometheus accepts the
// config, and every name it or Grafana dials is a container on the stack's network.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { PROMETHEUS_CONFIG_PATH, readObservabilityFiles } from './observability-files.ts';
import { containers, runStackWithMocks } from './mocked-stack.ts';

const DASHBOARDS_DIR = fileURLToPath(new URL('../dashboards', import.meta.url));
const SCRAPE_CONFIG = join(DASHBOARDS_DIR, 'prometheus', 'prometheus.yml');
const missing = existsSync(SCRAPE_CONFIG) ? false : `${SCRAPE_CONFIG} does not exist yet (written for the observability issue)`;

// Docker's DNS on a user-defined network answers to container names and aliases alike.
const stackContainers = missing ? [] : containers(await runStackWithMocks({ config: { gpu: 'none' }, dashboardsDir: DASHBOARDS_DIR }));
const namesOf = (c: (typeof stackContainers)[number]) => [c.inputs.name as string, ...((c.inputs.networksAdvanced as { aliases: string[] }[])[0]?.aliases ?? [])];
const dnsNames = new Set(stackContainers.flatMap(namesOf));
const gatewayNames = new Set(stackContainers.filter((c) => c.name === 'gateway').flatMap(namesOf));

const hostOf = (target: string) => new URL(target.includes('://') ? target : `http://${target}`).hostname;

test('promtool accepts the Prometheus config as mounted in the container', { skip: missing }, () => {
  // The uploads, laid out under a temporary root the way the container sees them.
  const root = mkdtempSync(join(tmpdir(), 's2s-prometheus-'));
  for (const { file, content } of readObservabilityFiles(DASHBOARDS_DIR).prometheus) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content.replaceAll('/etc/prometheus/', `${root}/etc/prometheus/`));
  }
  execFileSync('promtool', ['check', 'config', join(root, PROMETHEUS_CONFIG_PATH)], { stdio: 'pipe' });
});

test('Prometheus scrapes targets by container name on the stack network', { skip: missing }, () => {
  const config = parseYaml(readObservabilityFiles(DASHBOARDS_DIR).prometheus[0]?.content ?? '') as {
    scrape_configs?: { static_configs?: { targets?: string[] }[] }[];
  };
  const targets = (config.scrape_configs ?? []).flatMap((job) => (job.static_configs ?? []).flatMap((s) => s.targets ?? []));
  assert.ok(targets.some((t) => gatewayNames.has(hostOf(t))), `the gateway is scraped (targets: ${targets.join(', ')})`);
  for (const target of targets) {
    const host = hostOf(target);
    assert.ok(host === 'localhost' || dnsNames.has(host), `${target} names a container of the stack`);
  }
});

test('Grafana datasources point at stack containers', { skip: missing }, () => {
  const files = readObservabilityFiles(DASHBOARDS_DIR).grafana.filter((f) => f.file.startsWith('/etc/grafana/provisioning/datasources/'));
  assert.ok(files.length > 0, 'a datasource is provisioned');
  for (const { file, content } of files) {
    const { datasources = [] } = parseYaml(content) as { datasources?: { url?: string }[] };
    for (const { url } of datasources) if (url) assert.ok(dnsNames.has(hostOf(url)), `${file}: ${url} names a container of the stack`);
  }
});

test('every dashboard JSON is uploaded to the folder the dashboard provider reads', { skip: missing }, () => {
  const files = readObservabilityFiles(DASHBOARDS_DIR).grafana;
  const providerPaths = files
    .filter((f) => f.file.startsWith('/etc/grafana/provisioning/dashboards/'))
    .flatMap(({ content }) => ((parseYaml(content) as { providers?: { options?: { path?: string } }[] }).providers ?? []).map((p) => p.options?.path));
  const dashboards = readdirSync(join(DASHBOARDS_DIR, 'grafana', 'dashboards')).filter((n) => n.endsWith('.json'));
  assert.ok(dashboards.length > 0 && providerPaths.length > 0);
  for (const path of providerPaths) {
    for (const name of dashboards) assert.ok(files.some((f) => f.file === `${path}/${name}`), `${name} is uploaded to ${path}`);
  }
});
