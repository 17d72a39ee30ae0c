import { readFileSync } from 'node:fs';
import type * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { parse as parseYaml, stringify } from 'yaml';
import { alertmanagerConfig } from './alertmanager.ts';
import { PROMETHEUS_CONFIG_PATH, type ContainerFile, type ObservabilityFiles } from './observability-files.ts';
import { namedVolume, serviceContainer } from './service-container.ts';

export interface ObservabilityArgs {
  network: docker.Network;
  images: { otelCollector: string; prometheus: string; grafana: string; tempo: string; alertmanager: string };
  /** Secret: where Alertmanager posts alerts; empty keeps them in Alertmanager and Grafana only. */
  alertWebhookUrl: pulumi.Output<string>;
  files: ObservabilityFiles;
  bindAddress: string;
  publicHost: string;
  grafanaPort: number;
  /** `host:port` of every gateway replica. */
  gatewayTargets: string[];
}

/**
 * The repository's prometheus.yml with this stack's gateway replicas as the `s2s-gateway` job's targets and
 * Alertmanager as where alerts go.
 */
export function withGatewayTargets(files: ContainerFile[], targets: string[]): ContainerFile[] {
  return files.map((upload) => {
    if (upload.file !== PROMETHEUS_CONFIG_PATH) return upload;
    const config = parseYaml(upload.content) as { scrape_configs?: { job_name: string; static_configs?: unknown }[] } & Record<string, unknown>;
    const jobs = config.scrape_configs ?? [];
    if (!jobs.some((job) => job.job_name === 's2s-gateway')) throw new Error(`${PROMETHEUS_CONFIG_PATH} has no s2s-gateway job`);
    const scrape_configs = jobs.map((job) => (job.job_name === 's2s-gateway' ? { ...job, static_configs: [{ targets }] } : job));
    const alerting = { alertmanagers: [{ static_configs: [{ targets: [ALERTMANAGER_TARGET] }] }] };
    return { file: upload.file, content: stringify({ ...config, scrape_configs, alerting }) };
  });
}

const COLLECTOR_CONFIG_PATH = '/etc/otelcol-contrib/config.yaml';
const collectorConfig = readFileSync(new URL('./otel-collector.yaml', import.meta.url), 'utf8');
const TEMPO_CONFIG_PATH = '/etc/tempo/tempo.yaml';
const tempoConfig = readFileSync(new URL('./tempo.yaml', import.meta.url), 'utf8');
const ALERTMANAGER_CONFIG_PATH = '/etc/alertmanager/alertmanager.yml';
export const ALERTMANAGER_TARGET = 'alertmanager:9093';

/**
 * The OpenTelemetry collector feeding Tempo (the trace backend), Prometheus (scraping the gateway, with the alert
 * rules) sending alerts to Alertmanager, and a provisioned Grafana reading both, exemplars linked to traces.
 */
export class Observability extends pulumi.ComponentResource {
  readonly otlpEndpoint: string;
  readonly grafanaUrl: string;
  /** Secret: Grafana's generated `admin` password. */
  readonly grafanaAdminPassword: pulumi.Output<string>;
  readonly containers: docker.Container[];

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super('s2s:index:Observability', name, {}, opts);
    const { network, images, files } = args;

    const tempo = serviceContainer(
      {
        network,
        alias: 'tempo',
        image: images.tempo,
        command: [`-config.file=${TEMPO_CONFIG_PATH}`],
        uploads: [{ file: TEMPO_CONFIG_PATH, content: tempoConfig }],
        volumes: [{ volumeName: namedVolume(this, 'tempo-data').name, containerPath: '/var/tempo' }],
        // The image is distroless: no shell or HTTP client. The binary answering proves it is runnable; Grafana's
        // datasource health shows whether it serves.
        healthcheck: { tests: ['CMD', '/tempo', '-version'], interval: '30s', timeout: '10s', retries: 3, startPeriod: '10s' },
        waitTimeoutS: 120,
      },
      { parent: this },
    );

    const alertmanager = serviceContainer(
      {
        network,
        alias: 'alertmanager',
        image: images.alertmanager,
        command: [`--config.file=${ALERTMANAGER_CONFIG_PATH}`, '--storage.path=/alertmanager'],
        // Secret: the webhook URL often carries a token.
        uploads: [{ file: ALERTMANAGER_CONFIG_PATH, content: pulumi.secret(args.alertWebhookUrl.apply(alertmanagerConfig)) }],
        volumes: [{ volumeName: namedVolume(this, 'alertmanager-data').name, containerPath: '/alertmanager' }],
        // busybox-based like Prometheus: wget is there.
        healthcheck: { tests: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:9093/-/ready'], interval: '15s', timeout: '5s', retries: 5, startPeriod: '20s' },
        waitTimeoutS: 120,
      },
      { parent: this },
    );

    const collector = serviceContainer(
      {
        network,
        alias: 'otel-collector',
        image: images.otelCollector,
        uploads: [{ file: COLLECTOR_CONFIG_PATH, content: collectorConfig }],
        // The contrib image is FROM scratch: no shell, no HTTP client, only the collector. `validate` proves the
        // binary and its config load; the health_check extension on :13133 is for probes from outside.
        healthcheck: { tests: ['CMD', '/otelcol-contrib', 'validate', `--config=${COLLECTOR_CONFIG_PATH}`], interval: '30s', timeout: '10s', retries: 3, startPeriod: '10s' },
        waitTimeoutS: 120,
      },
      { parent: this, dependsOn: [tempo] },
    );

    const prometheus = serviceContainer(
      {
        network,
        alias: 'prometheus',
        image: images.prometheus,
        command: [
          `--config.file=${PROMETHEUS_CONFIG_PATH}`,
          '--storage.tsdb.path=/prometheus',
          '--storage.tsdb.retention.time=15d',
          // The gateway attaches trace ids to latency histograms.
          '--enable-feature=exemplar-storage',
        ],
        uploads: withGatewayTargets(files.prometheus, args.gatewayTargets),
        volumes: [{ volumeName: namedVolume(this, 'prometheus-data').name, containerPath: '/prometheus' }],
        // The image is busybox-based: wget is there.
        healthcheck: { tests: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:9090/-/ready'], interval: '15s', timeout: '5s', retries: 5, startPeriod: '30s' },
        waitTimeoutS: 120,
      },
      { parent: this, dependsOn: [alertmanager] },
    );

    const password = new random.RandomPassword('grafana-admin-password', { length: 24, special: false }, { parent: this });
    const grafana = serviceContainer(
      {
        network,
        alias: 'grafana',
        image: images.grafana,
        envs: [pulumi.secret(pulumi.interpolate`GF_SECURITY_ADMIN_PASSWORD=${password.result}`), 'GF_USERS_ALLOW_SIGN_UP=false', 'GF_ANALYTICS_REPORTING_ENABLED=false'],
        uploads: files.grafana,
        volumes: [{ volumeName: namedVolume(this, 'grafana-data').name, containerPath: '/var/lib/grafana' }],
        ports: [{ internal: 3000, external: args.grafanaPort, ip: args.bindAddress }],
        healthcheck: { tests: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:3000/api/health'], interval: '15s', timeout: '5s', retries: 5, startPeriod: '60s' },
        waitTimeoutS: 180,
      },
      { parent: this },
    );

    this.otlpEndpoint = 'http://otel-collector:4318';
    this.grafanaUrl = `http://${args.publicHost}:${args.grafanaPort}`;
    this.grafanaAdminPassword = pulumi.secret(password.result);
    this.containers = [tempo, alertmanager, collector, prometheus, grafana];
    this.registerOutputs({ otlpEndpoint: this.otlpEndpoint, grafanaUrl: this.grafanaUrl });
  }
}
