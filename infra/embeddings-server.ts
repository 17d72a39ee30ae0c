import type * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { namedVolume, serviceContainer } from './service-container.ts';

/** Knobs of the embeddings server; defaults here so the stack needs no new config to run one. */
export interface EmbeddingsConfig {
  image: string;
  /** Hugging Face reference llama.cpp downloads on first start (`owner/repo:quant`): multilingual, English and Chinese. */
  model: string;
  /** How the model pools token vectors into one (`last` for Qwen3-Embedding, `cls` for BGE, `mean` for others). */
  pooling: 'none' | 'mean' | 'cls' | 'last' | 'rank';
  memoryMb: number;
}

// The LLM server's CPU build: a small embedding model answers a query in milliseconds without a GPU.
const CPU_LLAMA_SERVER = 'ghcr.io/ggml-org/llama.cpp:server-b7964';
const POOLINGS = ['none', 'mean', 'cls', 'last', 'rank'] as const;

export function readEmbeddingsConfig(config = new pulumi.Config()): EmbeddingsConfig {
  return {
    image: config.get('embeddingsImage') ?? CPU_LLAMA_SERVER,
    model: config.get('embeddingsModel') ?? 'Qwen/Qwen3-Embedding-0.6B-GGUF:Q8_0',
    pooling: config.get('embeddingsPooling', { allowedValues: [...POOLINGS] }) ?? 'last',
    memoryMb: config.getNumber('embeddingsMemoryMb', { min: 256 }) ?? 2048,
  };
}

const PORT = 8080;

/**
 * llama.cpp's OpenAI-compatible server in embeddings mode (`/v1/embeddings`), beside the LLM server, for the
 * gateway's knowledge search. Its `gatewayEnv` is what the gateway needs to reach it.
 */
export class EmbeddingsServer extends pulumi.ComponentResource {
  readonly baseUrl: string;
  readonly container: docker.Container;
  /** S2S_EMBEDDINGS_* for the gateway; the key is a secret. */
  readonly gatewayEnv: Record<string, pulumi.Input<string>>;

  constructor(name: string, args: EmbeddingsConfig & { network: docker.Network }, opts?: pulumi.ComponentResourceOptions) {
    super('s2s:index:EmbeddingsServer', name, {}, opts);
    const apiKey = new random.RandomPassword('embeddings-api-key', { length: 40, special: false }, { parent: this });
    this.container = serviceContainer(
      {
        network: args.network,
        alias: 'embeddings',
        image: args.image,
        command: ['--host', '0.0.0.0', '--port', String(PORT), '-hf', args.model, '--alias', args.model, '--embeddings', '--pooling', args.pooling, '-ngl', '0'],
        // llama-server reads --api-key from LLAMA_API_KEY; through the environment the key stays out of `ps`.
        envs: [pulumi.secret(pulumi.interpolate`LLAMA_API_KEY=${apiKey.result}`), 'LLAMA_CACHE=/models'],
        volumes: [{ volumeName: namedVolume(this, 'embeddings-models').name, containerPath: '/models' }],
        memory: args.memoryMb,
        // The first start downloads the model.
        healthcheck: { tests: ['CMD', 'curl', '-fsS', `http://127.0.0.1:${PORT}/health`], interval: '30s', timeout: '10s', retries: 3, startPeriod: '15m' },
        waitTimeoutS: 1800,
      },
      { parent: this },
    );
    this.baseUrl = `http://embeddings:${PORT}/v1`;
    this.gatewayEnv = {
      S2S_EMBEDDINGS_BASE_URL: this.baseUrl,
      S2S_EMBEDDINGS_MODEL: args.model,
      S2S_EMBEDDINGS_API_KEY: pulumi.secret(apiKey.result),
    };
    this.registerOutputs({ baseUrl: this.baseUrl });
  }
}
