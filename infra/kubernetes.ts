import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import type { StackConfig } from './config.ts';
import type { StackOutputs } from './stack.ts';

const PORT = 8080;
const LABELS = { app: 's2s-gateway' };
/** The AMD GPU device plugin's resource (ROCm/k8s-device-plugin). */
export const AMD_GPU_RESOURCE = 'amd.com/gpu';

/** A store as a one-replica StatefulSet with its volume and a headless Service named after it. */
function statefulStore(
  name: string,
  args: { namespace: pulumi.Input<string>; image: string; port: number; env?: k8s.types.input.core.v1.EnvVar[]; dataPath: string; storageGi: number },
  opts: pulumi.CustomResourceOptions,
): void {
  const labels = { app: name };
  new k8s.core.v1.Service(name, { metadata: { name, namespace: args.namespace }, spec: { clusterIP: 'None', selector: labels, ports: [{ port: args.port }] } }, opts);
  new k8s.apps.v1.StatefulSet(
    name,
    {
      metadata: { name, namespace: args.namespace },
      spec: {
        serviceName: name,
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name, image: args.image, ports: [{ containerPort: args.port }], env: args.env, volumeMounts: [{ name: 'data', mountPath: args.dataPath }] }] },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: `${args.storageGi}Gi` } } } }],
      },
    },
    opts,
  );
}

/**
 * The gateway on Kubernetes: a Deployment probed on /ready (readiness) and /health (liveness) with a startup probe
 * long enough for the first model download, the AMD GPU requested through the device plugin, a
 * PodDisruptionBudget, a WebSocket ingress with cookie affinity and long timeouts, and a HorizontalPodAutoscaler on
 * active sessions per pod (served to the HPA by prometheus-adapter). Redis and Postgres are the configured
 * endpoints (`kubernetesStores: external`) or StatefulSets in the namespace. The LLM is an existing endpoint (`llmBaseUrl`).
 */
export function createKubernetesStack(config: StackConfig): StackOutputs {
  if (config.images.gateway === undefined) throw new Error('target kubernetes needs gatewayImage: a registry image the cluster can pull (build and push it from docker/)');
  if (config.kubernetes.llmBaseUrl === '') throw new Error('target kubernetes needs llmBaseUrl: the OpenAI-compatible LLM server the pods reach');
  const provider = new k8s.Provider('cluster', config.kubernetes.context === '' ? {} : { context: config.kubernetes.context });
  const opts = { provider };
  const namespace = new k8s.core.v1.Namespace('s2s', { metadata: { name: config.kubernetes.namespace } }, opts).metadata.name;

  const k = config.kubernetes;
  let redisUrl: pulumi.Output<string> = k.redisUrl;
  let postgresUrl: pulumi.Output<string> = k.postgresUrl;
  if (k.stores === 'statefulset') {
    statefulStore('redis', { namespace, image: config.images.redis, port: 6379, dataPath: '/data', storageGi: 2 }, opts);
    const pgPassword = new random.RandomPassword('postgres-password', { length: 32, special: false });
    statefulStore(
      'postgres',
      {
        namespace,
        image: config.images.postgres,
        port: 5432,
        dataPath: '/var/lib/postgresql/data',
        storageGi: 10,
        env: [
          { name: 'POSTGRES_USER', value: 's2s' },
          { name: 'POSTGRES_DB', value: 's2s' },
          { name: 'POSTGRES_PASSWORD', value: pgPassword.result },
          { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
        ],
      },
      opts,
    );
    redisUrl = pulumi.output('redis://redis:6379');
    postgresUrl = pulumi.secret(pulumi.interpolate`postgres://s2s:${pgPassword.result}@postgres:5432/s2s`);
  }

  const generatedKey = new random.RandomPassword('gateway-api-key', { length: 40, special: false }).result;
  const apiKeys = pulumi.secret(pulumi.all([config.apiKeys, generatedKey]).apply(([configured, generated]) => configured || generated));
  const secret = new k8s.core.v1.Secret(
    'gateway-secrets',
    { metadata: { name: 's2s-gateway', namespace }, stringData: { S2S_API_KEYS: apiKeys, S2S_POSTGRES_URL: postgresUrl, S2S_REDIS_URL: redisUrl } },
    opts,
  );

  const gpu = config.gpu !== 'none';
  const env: Record<string, string> = {
    S2S_HOST: '0.0.0.0',
    S2S_PORT: String(PORT),
    S2S_MODELS_DIR: '/var/lib/s2s/models',
    S2S_ASR_MODEL: config.asr.model,
    S2S_ASR_VARIANT: config.asr.variant,
    S2S_ASR_USE_GPU: String(gpu),
    S2S_TTS_VOICE: config.ttsVoice,
    S2S_LLM_BASE_URL: config.kubernetes.llmBaseUrl,
    S2S_LOG_LEVEL: config.logLevel,
  };
  const probe = (path: string) => ({ httpGet: { path, port: PORT } });
  new k8s.apps.v1.Deployment(
    'gateway',
    {
      metadata: { name: 's2s-gateway', namespace },
      spec: {
        replicas: config.replicas,
        selector: { matchLabels: LABELS },
        // One new pod at a time, none taken away before its replacement is ready.
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: { labels: LABELS, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(PORT) } },
          spec: {
            // Longer than the gateway's own shutdown grace, so running turns finish on SIGTERM.
            terminationGracePeriodSeconds: 45,
            containers: [
              {
                name: 'gateway',
                image: config.images.gateway,
                ports: [{ name: 'http', containerPort: PORT }],
                env: Object.entries(env).map(([name, value]) => ({ name, value })),
                envFrom: [{ secretRef: { name: secret.metadata.name } }],
                // The first start downloads the models before listening: up to 30 minutes.
                startupProbe: { ...probe('/health'), periodSeconds: 10, failureThreshold: 180 },
                livenessProbe: { ...probe('/health'), periodSeconds: 15, failureThreshold: 4 },
                readinessProbe: { ...probe('/ready'), periodSeconds: 5, failureThreshold: 2 },
                resources: {
                  requests: { cpu: config.gatewayCpus, memory: `${config.gatewayMemoryMb}Mi` },
                  limits: { memory: `${config.gatewayMemoryMb}Mi`, ...(gpu && { [AMD_GPU_RESOURCE]: '1' }) },
                },
                volumeMounts: [{ name: 'models', mountPath: '/var/lib/s2s/models' }],
              },
            ],
            volumes: [{ name: 'models', emptyDir: { sizeLimit: '10Gi' } }],
          },
        },
      },
    },
    opts,
  );

  new k8s.core.v1.Service('gateway', { metadata: { name: 's2s-gateway', namespace }, spec: { selector: LABELS, ports: [{ name: 'http', port: PORT, targetPort: PORT }] } }, opts);
  new k8s.policy.v1.PodDisruptionBudget('gateway', { metadata: { name: 's2s-gateway', namespace }, spec: { maxUnavailable: 1, selector: { matchLabels: LABELS } } }, opts);
  new k8s.networking.v1.Ingress(
    'gateway',
    {
      metadata: {
        name: 's2s-gateway',
        namespace,
        annotations: {
          // ingress-nginx: WebSockets are proxied as they are; an hour before an idle one is cut.
          'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
          'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
          // A reconnecting browser returns to the same pod while it lives (state is shared anyway).
          'nginx.ingress.kubernetes.io/affinity': 'cookie',
          'nginx.ingress.kubernetes.io/session-cookie-name': 's2s-affinity',
        },
      },
      spec: {
        ingressClassName: config.kubernetes.ingressClass,
        rules: [{ host: config.publicHost, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's2s-gateway', port: { number: PORT } } } }] } }],
      },
    },
    opts,
  );
  new k8s.autoscaling.v2.HorizontalPodAutoscaler(
    'gateway',
    {
      metadata: { name: 's2s-gateway', namespace },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 's2s-gateway' },
        minReplicas: config.replicas,
        maxReplicas: config.kubernetes.maxReplicas,
        metrics: [{ type: 'Pods', pods: { metric: { name: 's2s_active_sessions' }, target: { type: 'AverageValue', averageValue: String(config.kubernetes.sessionsPerPod) } } }],
        // Sessions are long: scale down slowly so draining pods are not replaced at once.
        behavior: { scaleDown: { stabilizationWindowSeconds: 600 } },
      },
    },
    opts,
  );

  const url = `http://${config.publicHost}`;
  return {
    gatewayUrl: url,
    gatewayWebSocketUrl: `ws://${config.publicHost}/ws/s2s`,
    grafanaUrl: '',
    gatewayImage: pulumi.output(config.images.gateway),
    gatewayReplicas: config.replicas,
    alertReceiver: pulumi.output('the cluster\'s own monitoring (this target deploys no Prometheus or Alertmanager)'),
    gatewayApiKeys: apiKeys,
    grafanaAdminPassword: pulumi.secret(''),
  };
}
