import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import type { StackConfig } from './config.ts';
import { DataStores } from './data-stores.ts';
import { EmbeddingsServer, readEmbeddingsConfig } from './embeddings-server.ts';
import { Gateway, gatewayScrapeTargets } from './gateway.ts';
import { createKubernetesStack } from './kubernetes.ts';
import { gatewayImage } from './gateway-image.ts';
import { gpuAccess } from './gpu.ts';
import { LlmServer } from './llm-server.ts';
import type { ObservabilityFiles } from './observability-files.ts';
import { Observability } from './observability.ts';

export interface StackOutputs {
  gatewayUrl: string;
  /** The image the gateway containers run (content-tagged when built here). */
  gatewayImage: pulumi.Output<string>;
  gatewayReplicas: number;
  /** Where alerts go: the webhook's host, or a note that none is configured. */
  alertReceiver: pulumi.Output<string>;
  gatewayWebSocketUrl: string;
  grafanaUrl: string;
  /** Secret. */
  gatewayApiKeys: pulumi.Output<string>;
  /** Secret. */
  grafanaAdminPassword: pulumi.Output<string>;
}

/** The whole deployment on one Docker host: data stores, LLM server, observability and the gateway. */
export function createStack(config: StackConfig, files: ObservabilityFiles): StackOutputs {
  if (config.target === 'kubernetes') return createKubernetesStack(config);
  const provider = new docker.Provider('docker-host', config.dockerHost === '' ? {} : { host: config.dockerHost });
  const opts = { provider };
  const gpu = gpuAccess(config.gpu, { video: config.videoGid, render: config.renderGid });

  // Only the gateway and Grafana publish ports; everything else is reachable only on this network.
  const network = new docker.Network('network', { name: 's2s', driver: 'bridge' }, opts);

  const stores = new DataStores('data-stores', { network, images: config.images }, opts);
  const llm = new LlmServer(
    'llm-server',
    { network, image: config.images.llm, model: config.llmModel, contextTokens: config.llmContextTokens, gpu, memoryMb: config.llmMemoryMb },
    opts,
  );
  const embeddings = new EmbeddingsServer('embeddings-server', { network, ...readEmbeddingsConfig() }, opts);
  const observability = new Observability(
    'observability',
    {
      network,
      images: config.images,
      alertWebhookUrl: config.alertWebhookUrl,
      files,
      bindAddress: config.bindAddress,
      publicHost: config.publicHost,
      grafanaPort: config.grafanaPort,
      gatewayTargets: gatewayScrapeTargets(config.replicas),
    },
    opts,
  );

  // Created either way (it is free), used only when no keys are configured.
  const generatedKey = new random.RandomPassword('gateway-api-key', { length: 40, special: false }, opts).result;
  const apiKeys = pulumi.secret(pulumi.all([config.apiKeys, generatedKey]).apply(([configured, generated]) => configured || generated));
  const image = gatewayImage({ repoDir: config.repoDir, gpu: config.gpu, prebuilt: config.images.gateway }, opts);
  const gateway = new Gateway(
    'gateway',
    {
      network,
      image: image.ref,
      replicas: config.replicas,
      loadBalancerImage: config.images.loadBalancer,
      gpu,
      bindAddress: config.bindAddress,
      publicHost: config.publicHost,
      port: config.gatewayPort,
      memoryMb: config.gatewayMemoryMb,
      cpus: config.gatewayCpus,
      env: {
        S2S_ASR_MODEL: config.asr.model,
        S2S_ASR_VARIANT: config.asr.variant,
        S2S_ASR_USE_GPU: String(config.gpu !== 'none'),
        S2S_TTS_VOICE: config.ttsVoice,
        S2S_LLM_BASE_URL: llm.baseUrl,
        S2S_LLM_MODEL: llm.modelName,
        S2S_LLM_API_KEY: llm.apiKey,
        S2S_REDIS_URL: stores.redisUrl,
        S2S_POSTGRES_URL: stores.postgresUrl,
        S2S_QDRANT_URL: stores.qdrantUrl,
        ...embeddings.gatewayEnv,
        S2S_API_KEYS: apiKeys,
        S2S_LOG_LEVEL: config.logLevel,
        OTEL_EXPORTER_OTLP_ENDPOINT: observability.otlpEndpoint,
        OTEL_SERVICE_NAME: 's2s-gateway',
      },
      dependsOn: [stores, llm, embeddings, observability],
    },
    opts,
  );

  return {
    gatewayUrl: gateway.url,
    gatewayImage: image.ref,
    gatewayReplicas: config.replicas,
    alertReceiver: pulumi.unsecret(config.alertWebhookUrl.apply((url) => (url === '' ? 'none: set alertWebhookUrl (alerts show in Alertmanager and Grafana only)' : `webhook on ${new URL(url).host}`))),
    gatewayWebSocketUrl: `${gateway.url.replace(/^http/, 'ws')}/ws/s2s`,
    grafanaUrl: observability.grafanaUrl,
    gatewayApiKeys: apiKeys,
    grafanaAdminPassword: observability.grafanaAdminPassword,
  };
}
