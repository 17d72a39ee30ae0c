import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { allQueries } from './queries.ts';

const run = promisify(execFile);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const DASHBOARDS = here('./grafana/dashboards/');
const PROMETHEUS_DIR = here('./prometheus/');

interface Panel {
  id?: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: { refId?: string; expr?: string; datasource?: { type?: string; uid?: string } }[];
  panels?: Panel[];
}

const dashboardFiles = readdirSync(DASHBOARDS).filter((name) => name.endsWith('.json'));

function readDashboard(file: string) {
  const text = readFileSync(`${DASHBOARDS}${file}`, 'utf8');
  return { text, json: JSON.parse(text) as Record<string, unknown> & { panels: Panel[]; uid: string } };
}

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

const DATASOURCE_VARIABLE = { type: 'prometheus', uid: '${datasource}' };

test('the overview and stages dashboards exist for file provisioning', () => {
  assert.deepEqual(dashboardFiles.sort(), ['s2s-overview.json', 's2s-stages.json']);
});

test('every dashboard uses the datasource variable and no UI-import placeholders', () => {
  for (const file of dashboardFiles) {
    const { text, json } = readDashboard(file);
    assert.equal('__inputs' in json, false, file);
    assert.doesNotMatch(text, /\$\{DS_/, file);
    assert.equal(json.uid, file.replace(/\.json$/, ''));
    const variables = (json.templating as { list: { name: string; type: string; query: unknown }[] }).list;
    assert.deepEqual(
      variables.filter((v) => v.name === 'datasource').map((v) => [v.type, v.query]),
      [['datasource', 'prometheus']],
      file,
    );
  }
});

test('every panel target has a PromQL expression and queries the datasource variable', () => {
  for (const file of dashboardFiles) {
    const panels = allPanels(readDashboard(file).json.panels);
    const ids = panels.map((panel) => panel.id);
    assert.equal(new Set(ids).size, ids.length, `${file}: panel ids are unique`);
    for (const panel of panels) {
      assert.ok(panel.gridPos, `${file}/${panel.title}: gridPos`);
      if (panel.type === 'row') continue;
      const where = `${file}/${panel.title}`;
      assert.deepEqual(panel.datasource, DATASOURCE_VARIABLE, where);
      assert.ok((panel.targets ?? []).length > 0, `${where}: targets`);
      for (const target of panel.targets ?? []) {
        assert.ok(target.expr !== undefined && target.expr.trim().length > 0, `${where}/${target.refId}: expr`);
        assert.deepEqual(target.datasource, DATASOURCE_VARIABLE, `${where}/${target.refId}`);
      }
    }
  }
});

test('the overview shows every panel the issue asks for', () => {
  const titles = allPanels(readDashboard('s2s-overview.json').json.panels).map((panel) => panel.title);
  for (const title of [
    'Voice-to-voice latency',
    'Time to first audio',
    'LLM time to first token',
    'Active sessions',
    'Turns per second by outcome',
    'Interruptions per second by kind',
    'Errors per second by stage and code',
    'Event-loop lag',
    'CPU',
    'Memory',
  ]) {
    assert.ok(titles.includes(title), title);
  }
  const stages = readDashboard('s2s-stages.json').json.panels;
  assert.ok(stages.some((panel) => panel.type === 'heatmap'));
  assert.ok(stages.some((panel) => panel.type === 'row' && (panel as Panel & { repeat?: string }).repeat === 'stage'));
});

test('provisioning points Grafana at Prometheus by the uid the dashboards default to, and at the dashboards', () => {
  const datasources = parseYaml(readFileSync(here('./grafana/provisioning/datasources/prometheus.yaml'), 'utf8')) as {
    apiVersion: number;
    datasources: { uid: string; type: string; url: string }[];
  };
  assert.equal(datasources.apiVersion, 1);
  assert.deepEqual(
    datasources.datasources.map(({ uid, type, url }) => ({ uid, type, url })),
    [{ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' }],
  );
  for (const file of dashboardFiles) {
    const variables = (readDashboard(file).json.templating as { list: { name: string; current: { value: unknown } }[] })
      .list;
    assert.equal(variables.find((v) => v.name === 'datasource')?.current.value, 'prometheus', file);
  }
  const providers = parseYaml(readFileSync(here('./grafana/provisioning/dashboards/s2s.yaml'), 'utf8')) as {
    apiVersion: number;
    providers: { type: string; options: { path: string } }[];
  };
  assert.equal(providers.apiVersion, 1);
  assert.deepEqual(
    providers.providers.map((p) => [p.type, p.options.path]),
    [['file', '/var/lib/grafana/dashboards']],
  );
});

test('allQueries covers every panel target, variable and rule with all variables filled', () => {
  const queries = allQueries();
  for (const { source, expr } of queries) assert.doesNotMatch(expr, /\$|\[\[/, source);
  const kinds = Object.groupBy(queries, (q) => q.kind);
  assert.equal(kinds.record?.length, 15);
  assert.equal(kinds.alert?.length, 7);
  assert.ok((kinds.variable?.length ?? 0) >= 3);
  const panelTargets = dashboardFiles.flatMap((file) =>
    allPanels(readDashboard(file).json.panels).flatMap((panel) => panel.targets ?? []),
  );
  assert.ok((kinds.panel?.length ?? 0) >= panelTargets.length);
});

test('promtool accepts the Prometheus config and rules, and the rules pass their unit tests', async () => {
  // CI installs Debian's `prometheus` package, which ships promtool: a missing binary fails here.
  for (const args of [
    ['check', 'config', 'prometheus.yml'],
    ['check', 'rules', 'rules.yml'],
    ['test', 'rules', 'rules.test.yml'],
  ]) {
    const { stdout } = await run('promtool', args, { cwd: PROMETHEUS_DIR });
    assert.match(stdout, /SUCCESS/, args.join(' '));
  }
});
