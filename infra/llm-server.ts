import type * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import type { GpuAccess } from './gpu.ts';
import { namedVolume, serviceContainer } from './service-container.ts';

export interface LlmServerArgs {
  network: docker.Network;
  image: string;
  /** Hugging Face reference (`owner/repo:quant`), downloaded into the models volume on first start. */
  model: string;
  contextTokens: number;
  gpu: GpuAccess;
  memoryMb: number;
}

const PORT = 8080;

/** llama.cpp's OpenAI-compatible server, offloading every layer to the GPU when there is one. */
export class LlmServer extends pulumi.ComponentResource {
  readonly baseUrl: string;
  /** The model name the server answers to. */
  readonly modelName: string;
  /** Secret: the bearer key the server requires. */
  readonly apiKey: pulumi.Output<string>;
  readonly container: docker.Container;

  constructor(name: string, args: LlmServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('s2s:index:LlmServer', name, {}, opts);
    const onGpu = args.gpu.devices.length > 0;
    const apiKey = new random.RandomPassword('llm-api-key', { length: 40, special: false }, { parent: this });

    this.container = serviceContainer(
      {
        network: args.network,
        alias: 'llm',
        image: args.image,
        command: [
          '--host', '0.0.0.0',
          '--port', String(PORT),
          '-hf', args.model,
          '--alias', args.model,
          '-c', String(args.contextTokens),
          '-ngl', onGpu ? '999' : '0',
          // Strix Halo: flash attention on, and no mmap so the weights land in GPU-visible memory at once.
          '-fa', 'on',
          '--no-mmap',
          '--jinja',
        ],
        // llama-server reads --api-key from LLAMA_API_KEY; through the environment the key stays out of `ps`.
        envs: [pulumi.secret(pulumi.interpolate`LLAMA_API_KEY=${apiKey.result}`), 'LLAMA_CACHE=/models'],
        volumes: [{ volumeName: namedVolume(this, 'llm-models').name, containerPath: '/models' }],
        devices: args.gpu.devices,
        groupAdds: args.gpu.groupAdds,
        memory: args.memoryMb,
        // The first start downloads the model: give it time before failed probes count.
        healthcheck: { tests: ['CMD', 'curl', '-fsS', `http://127.0.0.1:${PORT}/health`], interval: '30s', timeout: '10s', retries: 3, startPeriod: '30m' },
        waitTimeoutS: 3600,
      },
      { parent: this },
    );

    this.baseUrl = `http://llm:${PORT}/v1`;
    this.modelName = args.model;
    this.apiKey = pulumi.secret(apiKey.result);
    this.registerOutputs({ baseUrl: this.baseUrl });
  }
}
