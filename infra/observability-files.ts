import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** A file to copy into a container: uploads work the same on a local and an `ssh://` Docker host. */
export interface ContainerFile {
  file: string;
  content: string;
}

export interface ObservabilityFiles {
  prometheus: ContainerFile[];
  grafana: ContainerFile[];
}

export const PROMETHEUS_CONFIG_PATH = '/etc/prometheus/prometheus.yml';

/**
 * The repository's `dashboards/` tree mapped to paths inside the Prometheus and Grafana containers. The scrape
 * config is required; the rule files it names, datasources, providers and dashboards are copied when present.
 */
export function readObservabilityFiles(dashboardsDir: string): ObservabilityFiles {
  const scrapeConfig = join(dashboardsDir, 'prometheus', 'prometheus.yml');
  if (!existsSync(scrapeConfig)) throw new Error(`missing Prometheus scrape config ${scrapeConfig}`);
  const content = readFileSync(scrapeConfig, 'utf8');
  // Rule files are named relative to the config, so they sit beside it in the container too.
  const { rule_files: ruleFiles = [] } = parseYaml(content) as { rule_files?: string[] };
  const prometheus = [
    { file: PROMETHEUS_CONFIG_PATH, content },
    ...filesIn(join(dashboardsDir, 'prometheus'), '/etc/prometheus', (name) => ruleFiles.includes(name)),
  ];
  const grafanaDir = join(dashboardsDir, 'grafana');
  const providers = filesIn(join(grafanaDir, 'provisioning', 'dashboards'), '/etc/grafana/provisioning/dashboards', isYaml);
  const grafana = [
    ...filesIn(join(grafanaDir, 'provisioning', 'datasources'), '/etc/grafana/provisioning/datasources', isYaml),
    ...providers,
    // The dashboard JSON goes wherever the provider says it reads from.
    ...providerPaths(providers).flatMap((path) => filesIn(join(grafanaDir, 'dashboards'), path, (name) => name.endsWith('.json'))),
  ];
  return { prometheus, grafana };
}

function providerPaths(providers: ContainerFile[]): string[] {
  const paths = providers.flatMap(({ content }) => {
    const { providers: list = [] } = parseYaml(content) as { providers?: { options?: { path?: string } }[] };
    return list.flatMap((provider) => (provider.options?.path ? [provider.options.path] : []));
  });
  return [...new Set(paths)];
}

const isYaml = (name: string) => name.endsWith('.yaml') || name.endsWith('.yml');

function filesIn(dir: string, target: string, keep: (name: string) => boolean): ContainerFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter(keep)
    .sort()
    .map((name) => ({ file: `${target}/${name}`, content: readFileSync(join(dir, name), 'utf8') }));
}
