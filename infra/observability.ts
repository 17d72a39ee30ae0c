import { readFileSync } from 'node:fs';
import type * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { PROMETHEUS_CONFIG_PATH, type ObservabilityFiles } from './observability-files.ts';
import { namedVolume, serviceContainer } from './service-container.ts';

export interface ObservabilityArgs {
  network: docker.Network;
  images: { otelCollector: string; prometheus: string; grafana: string };
  files: ObservabilityFiles;
  bindAddress: string;
  publicHost: string;
  grafanaPort: number;
}

const COLLECTOR_CONFIG_PATH = '/etc/otelcol-contrib/config.yaml';
const collectorConfig = readFileSync(new URL('./otel-collector.yaml', import.meta.url), 'utf8');

/** The OpenTelemetry collector, Prometheus (scraping the gateway, with the alert rules) and a provisioned Grafana. */
export class Observability extends pulumi.ComponentResource {
  readonly otlpEndpoint: string;
  readonly grafanaUrl: string;
  /** Secret: Grafana's generated `admin` password. */
  readonly grafanaAdminPassword: pulumi.Output<string>;
  readonly containers: docker.Container[];

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super('s2s:index:Observability', name, {}, opts);
    const { network, images, files } = args;

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
      { parent: this },
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
        uploads: files.prometheus,
        volumes: [{ volumeName: namedVolume(this, 'prometheus-data').name, containerPath: '/prometheus' }],
        // The image is busybox-based: wget is there.
        healthcheck: { tests: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:9090/-/ready'], interval: '15s', timeout: '5s', retries: 5, startPeriod: '30s' },
        waitTimeoutS: 120,
      },
      { parent: this },
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
    this.containers = [collector, prometheus, grafana];
    this.registerOutputs({ otlpEndpoint: this.otlpEndpoint, grafanaUrl: this.grafanaUrl });
  }
}
