import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import type { GpuMode } from './gpu.ts';

/** Every knob of the stack. Defaults live in Pulumi.yaml, which the Pulumi CLI applies before the program runs. */
export type Target = 'docker' | 'kubernetes';

export interface KubernetesConfig {
  /** kubeconfig context; empty uses the current one. */
  context: string;
  namespace: string;
  ingressClass: string;
  maxReplicas: number;
  /** The HPA's target of active sessions per pod. */
  sessionsPerPod: number;
  llmBaseUrl: string;
  stores: 'statefulset' | 'external';
  /** Secrets; used with stores: external. */
  redisUrl: pulumi.Output<string>;
  postgresUrl: pulumi.Output<string>;
}

export interface StackConfig {
  /** A Docker host (the default) or a Kubernetes cluster. */
  target: Target;
  kubernetes: KubernetesConfig;
  /** Docker host: empty for the local socket (or DOCKER_HOST), or `ssh://user@host`. */
  dockerHost: string;
  gpu: GpuMode;
  /** Numeric GIDs of the Docker host's `video` and `render` groups (names would resolve inside the image). */
  videoGid: number | undefined;
  renderGid: number | undefined;
  /** Host address the published ports bind to, and the host name users reach them by. */
  bindAddress: string;
  publicHost: string;
  gatewayPort: number;
  grafanaPort: number;
  /** Gateway processes; more than one puts HAProxy in front. */
  replicas: number;
  /** Where the program builds the gateway image from (the repository); unused with a prebuilt `gatewayImage`. */
  repoDir: string;
  images: {
    /** A prebuilt gateway image; undefined means `pulumi up` builds it from docker/. */
    gateway: string | undefined;
    llm: string;
    loadBalancer: string;
    tempo: string;
    alertmanager: string;
    postgres: string;
    redis: string;
    qdrant: string;
    otelCollector: string;
    prometheus: string;
    grafana: string;
  };
  asr: { model: string; variant: string };
  ttsVoice: string;
  logLevel: string;
  /** Hugging Face reference llama.cpp downloads on first start (`owner/repo:quant`). */
  llmModel: string;
  llmContextTokens: number;
  gatewayMemoryMb: number;
  gatewayCpus: string;
  llmMemoryMb: number;
  /** Comma-separated bearer keys for the WebSocket; empty means generate one. */
  apiKeys: pulumi.Output<string>;
  /** Secret; empty keeps alerts in Alertmanager and Grafana. */
  alertWebhookUrl: pulumi.Output<string>;
}

// Pinned at the time of writing; `llmImage` in the stack config overrides it.
const LLAMA_CPP_BUILD = 'b7964';
const llmImageFor: Record<GpuMode, string> = {
  none: `ghcr.io/ggml-org/llama.cpp:server-${LLAMA_CPP_BUILD}`,
  rocm: `ghcr.io/ggml-org/llama.cpp:server-rocm-${LLAMA_CPP_BUILD}`,
  vulkan: `ghcr.io/ggml-org/llama.cpp:server-vulkan-${LLAMA_CPP_BUILD}`,
};
// whisper.cpp build the gateway loads: the ROCm image carries a HIP build and the prebuilt Vulkan one.
const asrVariantFor: Record<GpuMode, string> = { none: 'default', rocm: 'hip', vulkan: 'vulkan' };

const GPU_MODES: GpuMode[] = ['none', 'rocm', 'vulkan'];

export function readStackConfig(config = new pulumi.Config(), repoDir = fileURLToPath(new URL('..', import.meta.url))): StackConfig {
  const gpu = config.require<GpuMode>('gpu', { allowedValues: GPU_MODES });
  // The GPU groups have no portable numbers, so a GPU stack must name them.
  // Pulumi.yaml declares them with 0 for "not set": the CLI requires a value for a declared key without a default.
  const gid = (key: string) => {
    const value = config.getNumber(key, { min: 0 });
    if (gpu === 'none') return value || undefined;
    if (!value) throw new Error(`${key} is required when gpu is ${gpu}: \`getent group video render\` on the Docker host, then \`pulumi config set ${key} <gid>\``);
    return value;
  };
  const port = (key: string) => config.requireNumber(key, { min: 1, max: 65535 });
  const target = config.require<Target>('target', { allowedValues: ['docker', 'kubernetes'] });
  const stores = config.require<KubernetesConfig['stores']>('kubernetesStores', { allowedValues: ['statefulset', 'external'] });
  const externalUrl = (key: string) => {
    const needed = target === 'kubernetes' && stores === 'external';
    return (config.getSecret(key) ?? pulumi.secret('')).apply((value) => {
      if (needed && value === '') throw new Error(`kubernetesStores is external: set ${key} (--secret)`);
      return value;
    });
  };
  return {
    target,
    kubernetes: {
      context: config.get('kubernetesContext') ?? '',
      namespace: config.require('kubernetesNamespace'),
      ingressClass: config.require('kubernetesIngressClass'),
      maxReplicas: config.requireNumber('kubernetesMaxReplicas', { min: 1 }),
      sessionsPerPod: config.requireNumber('kubernetesSessionsPerPod', { min: 1 }),
      llmBaseUrl: config.get('llmBaseUrl') ?? '',
      stores,
      redisUrl: externalUrl('redisUrl'),
      postgresUrl: externalUrl('postgresUrl'),
    },
    dockerHost: config.get('dockerHost') ?? '',
    gpu,
    videoGid: gid('videoGid'),
    renderGid: gid('renderGid'),
    bindAddress: config.require('bindAddress'),
    publicHost: config.require('publicHost'),
    gatewayPort: port('gatewayPort'),
    grafanaPort: port('grafanaPort'),
    replicas: config.requireNumber('replicas', { min: 1, max: 64 }),
    repoDir,
    images: {
      gateway: config.get('gatewayImage') || undefined,
      llm: orDerived(config.get('llmImage'), llmImageFor[gpu]),
      loadBalancer: config.require('loadBalancerImage'),
      tempo: config.require('tempoImage'),
      alertmanager: config.require('alertmanagerImage'),
      postgres: config.require('postgresImage'),
      redis: config.require('redisImage'),
      qdrant: config.require('qdrantImage'),
      otelCollector: config.require('otelCollectorImage'),
      prometheus: config.require('prometheusImage'),
      grafana: config.require('grafanaImage'),
    },
    asr: {
      model: config.require('asrModel'),
      variant: orDerived(config.get('asrVariant'), asrVariantFor[gpu]),
    },
    ttsVoice: config.require('ttsVoice'),
    logLevel: config.require('logLevel'),
    llmModel: config.require('llmModel'),
    llmContextTokens: config.requireNumber('llmContextTokens', { min: 512 }),
    gatewayMemoryMb: config.requireNumber('gatewayMemoryMb', { min: 512 }),
    gatewayCpus: config.require('gatewayCpus'),
    llmMemoryMb: config.requireNumber('llmMemoryMb', { min: 512 }),
    apiKeys: config.getSecret('apiKeys') ?? pulumi.secret(''),
    alertWebhookUrl: config.getSecret('alertWebhookUrl') ?? pulumi.secret(''),
  };
}

// Pulumi.yaml declares "derive it from gpu" as an empty default.
function orDerived(value: string | undefined, derived: string): string {
  return value === undefined || value === '' ? derived : value;
}
