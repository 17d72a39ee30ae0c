import type * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { GpuAccess } from './gpu.ts';
import { namedVolume, serviceContainer } from './service-container.ts';

export interface GatewayArgs {
  network: docker.Network;
  /** Built from docker/ on the Docker host (`docker build -f docker/Dockerfile.rocm -t <image> .`). */
  image: string;
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
// `/ready` is 200 once the models are loaded and the LLM answers; the image has node, not curl.
const READY_PROBE = `fetch('http://127.0.0.1:${PORT}/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;

/** The speech-to-speech gateway: GPU devices, models volume, wired to every other service by container name. */
export class Gateway extends pulumi.ComponentResource {
  readonly url: string;
  readonly container: docker.Container;

  constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super('s2s:index:Gateway', name, {}, opts);
    const env: Record<string, pulumi.Input<string>> = {
      ...args.env,
      S2S_HOST: '0.0.0.0',
      S2S_PORT: String(PORT),
      S2S_MODELS_DIR: MODELS_DIR,
    };

    this.container = serviceContainer(
      {
        network: args.network,
        alias: 'gateway',
        image: args.image,
        envs: Object.entries(env).map(([key, value]) => pulumi.interpolate`${key}=${value}`),
        volumes: [{ volumeName: namedVolume(this, 'gateway-models').name, containerPath: MODELS_DIR }],
        ports: [{ internal: PORT, external: args.port, ip: args.bindAddress }],
        devices: args.gpu.devices,
        groupAdds: args.gpu.groupAdds,
        memory: args.memoryMb,
        cpus: args.cpus,
        // Room for in-flight turns to finish after SIGTERM.
        stopTimeout: 30,
        // The first start downloads and loads the speech models.
        healthcheck: { tests: ['CMD', 'node', '-e', READY_PROBE], interval: '15s', timeout: '5s', retries: 4, startPeriod: '15m', startInterval: '5s' },
        waitTimeoutS: 1800,
      },
      { parent: this, dependsOn: args.dependsOn },
    );

    this.url = `http://${args.publicHost}:${args.port}`;
    this.registerOutputs({ url: this.url });
  }
}
