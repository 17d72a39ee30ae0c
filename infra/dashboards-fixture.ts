// Test support: a small `dashboards/` tree, so the resource-graph tests do not depend on the real dashboards.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const FIXTURE_FILES: Record<string, string> = {
  'prometheus/prometheus.yml': 'rule_files: [rules.yml]\nscrape_configs:\n  - job_name: s2s-gateway\n    static_configs: [{targets: ["gateway:8080"]}]\n',
  'prometheus/rules.yml': 'groups: []\n',
  'grafana/provisioning/datasources/prometheus.yaml': 'apiVersion: 1\ndatasources: [{name: Prometheus, type: prometheus, url: "http://prometheus:9090"}]\n',
  'grafana/provisioning/dashboards/s2s.yaml': 'apiVersion: 1\nproviders: [{name: s2s, options: {path: /etc/grafana/dashboards}}]\n',
  'grafana/dashboards/s2s-overview.json': '{"title": "S2S overview"}\n',
};

export function writeDashboardsFixture(): string {
  const root = mkdtempSync(join(tmpdir(), 's2s-dashboards-'));
  for (const [path, content] of Object.entries(FIXTURE_FILES)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}
