import type * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { GpuAccess } from './gpu.ts';
import { LoadBalancer } from './load-balancer.ts';
import { namedVolume, serviceContainer } from './service-container.ts';

export interface GatewayArgs {
  network: docker.Network;
  /** The image reference (built by the program or pulled). */
  image: pulumi.Output<string>;
  /** How many gateway processes; more than one puts a load balancer in front. */
  replicas: number;
  loadBalancerImage: string;
  gpu: GpuAccess;
  bindAddress: string;
  publicHost: string;
  port: number;
  memoryMb: number;
  cpus: string;
  /** S2S_* and OTEL_* settings; secret entries stay secret. */
  env: Record<string, pulumi.Input<string>>;
  /** Services that must be healthy before the gateway can become ready. */
  dependsOn: pulumi.Resource[];
}

const PORT = 8080;
const MODELS_DIR = '/var/lib/s2s/models';
// Liveness, as the image's HEALTHCHECK: an LLM outage must not mark the gateway unhealthy. The load balancer
// routes on /ready. The image has node, not curl.
const LIVENESS_PROBE = `fetch('http://127.0.0.1:${PORT}/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;

const replicaAliases = (replicas: number) => (replicas === 1 ? ['gateway'] : Array.from({ length: replicas }, (_, i) => `gateway-${i + 1}`));

/** `host:port` of every replica, for Prometheus (known before the containers exist, so no cycle). */
export const gatewayScrapeTargets = (replicas: number): string[] => replicaAliases(replicas).map((alias) => `${alias}:${PORT}`);

/**
 * The speech-to-speech gateway: GPU devices, models volume, wired to every other service by container name. One
 * replica publishes its port itself; N replicas (`gateway-1`..`gateway-N`, one models volume each, since two
 * processes must not download into the same files) sit behind HAProxy, which publishes the port.
 */
export class Gateway extends pulumi.ComponentResource {
  readonly url: string;
  readonly containers: docker.Container[];

  constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super('s2s:index:Gateway', name, {}, opts);
    const env: Record<string, pulumi.Input<string>> = {
      ...args.env,
      S2S_HOST: '0.0.0.0',
      S2S_PORT: String(PORT),
      S2S_MODELS_DIR: MODELS_DIR,
    };
    const single = args.replicas === 1;
    const aliases = replicaAliases(args.replicas);

    this.containers = aliases.map((alias) =>
      serviceContainer(
        {
          network: args.network,
          alias,
          image: args.image,
          envs: Object.entries(env).map(([key, value]) => pulumi.interpolate`${key}=${value}`),
          volumes: [{ volumeName: namedVolume(this, `${alias}-models`).name, containerPath: MODELS_DIR }],
          ...(single && { ports: [{ internal: PORT, external: args.port, ip: args.bindAddress }] }),
          devices: args.gpu.devices,
          groupAdds: args.gpu.groupAdds,
          memory: args.memoryMb,
          cpus: args.cpus,
          // Room for in-flight turns to finish after SIGTERM.
          stopTimeout: 30,
          // The first start downloads the speech models before the gateway listens.
          healthcheck: { tests: ['CMD', 'node', '-e', LIVENESS_PROBE], interval: '15s', timeout: '5s', retries: 4, startPeriod: '15m', startInterval: '5s' },
          waitTimeoutS: 1800,
        },
        { parent: this, dependsOn: args.dependsOn },
      ),
    );
    if (!single) {
      new LoadBalancer(
        'gateway-lb',
        { network: args.network, image: args.loadBalancerImage, backends: aliases, backendPort: PORT, bindAddress: args.bindAddress, publicPort: args.port, dependsOn: this.containers },
        { parent: this },
      );
    }

    this.url = `http://${args.publicHost}:${args.port}`;
    this.registerOutputs({ url: this.url });
  }
}
