import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as pulumi from '@pulumi/pulumi';
import { writeDashboardsFixture } from './dashboards-fixture.ts';
import { resolve, runStackWithMocks, type RecordedResource } from './mocked-stack.ts';

const stack = await runStackWithMocks({
  config: {
    target: 'kubernetes',
    gpu: 'rocm',
    videoGid: '44',
    renderGid: '991',
    replicas: '2',
    publicHost: 'voice.example.com',
    gatewayImage: 'registry.example/s2s-gateway:1.2.3-rocm',
    llmBaseUrl: 'http://llm.ai.svc:8000/v1',
  },
  dashboardsDir: writeDashboardsFixture(),
});
const ofKind = (kind: string) => stack.resources.filter((r) => r.type === `kubernetes:${kind}`);
const one = (kind: string): RecordedResource => {
  const found = ofKind(kind);
  assert.equal(found.length, 1, kind);
  return found[0] as RecordedResource;
};
type Container = {
  image: string;
  readinessProbe: { httpGet: { path: string } };
  livenessProbe: { httpGet: { path: string } };
  startupProbe: { httpGet: { path: string }; periodSeconds: number; failureThreshold: number };
  resources: { limits: Record<string, string> };
  envFrom: unknown[];
  env: { name: string; value: string }[];
};
const deployment = one('apps/v1:Deployment');
const spec = deployment.inputs.spec as { replicas: number; strategy: { rollingUpdate: { maxUnavailable: number } }; template: { spec: { containers: Container[]; terminationGracePeriodSeconds: number } } };
const gateway = spec.template.spec.containers[0] as Container;

test('nothing of the Docker target is created: no containers, no Docker images', () => {
  assert.ok(!stack.resources.some((r) => r.type.startsWith('docker:')));
});

test('the gateway Deployment: N replicas of the given image, ready on /ready, alive on /health, a startup probe for the first download', () => {
  assert.equal(spec.replicas, 2);
  assert.equal(gateway.image, 'registry.example/s2s-gateway:1.2.3-rocm');
  assert.equal(gateway.readinessProbe.httpGet.path, '/ready');
  assert.equal(gateway.livenessProbe.httpGet.path, '/health');
  assert.equal(gateway.startupProbe.httpGet.path, '/health');
  assert.ok(gateway.startupProbe.periodSeconds * gateway.startupProbe.failureThreshold >= 15 * 60);
  assert.equal(spec.strategy.rollingUpdate.maxUnavailable, 0);
  assert.ok(spec.template.spec.terminationGracePeriodSeconds > 30, 'room for running turns after SIGTERM');
});

test('the AMD GPU is requested through the ROCm device plugin', () => {
  assert.equal(gateway.resources.limits['amd.com/gpu'], '1');
  assert.equal(gateway.env.find((e) => e.name === 'S2S_ASR_VARIANT')?.value, 'hip');
});

test('a PodDisruptionBudget keeps voluntary evictions to one pod at a time', () => {
  const pdb = one('policy/v1:PodDisruptionBudget');
  assert.deepEqual((pdb.inputs.spec as { maxUnavailable: number }).maxUnavailable, 1);
});

test('the ingress keeps WebSockets open for an hour with cookie affinity', () => {
  const ingress = one('networking.k8s.io/v1:Ingress');
  const annotations = (ingress.inputs.metadata as { annotations: Record<string, string> }).annotations;
  assert.equal(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'], '3600');
  assert.equal(annotations['nginx.ingress.kubernetes.io/affinity'], 'cookie');
  const rules = (ingress.inputs.spec as { rules: { host: string }[] }).rules;
  assert.equal(rules[0]?.host, 'voice.example.com');
  assert.equal(stack.outputs.gatewayWebSocketUrl, 'ws://voice.example.com/ws/s2s');
});

test('the autoscaler scales on active sessions per pod, from replicas up to the configured maximum', () => {
  const hpa = one('autoscaling/v2:HorizontalPodAutoscaler');
  const hpaSpec = hpa.inputs.spec as { minReplicas: number; maxReplicas: number; metrics: { pods: { metric: { name: string }; target: { averageValue: string } } }[] };
  assert.equal(hpaSpec.minReplicas, 2);
  assert.equal(hpaSpec.maxReplicas, 8);
  assert.equal(hpaSpec.metrics[0]?.pods.metric.name, 's2s_active_sessions');
  assert.equal(hpaSpec.metrics[0]?.pods.target.averageValue, '50');
});

test('with the default stores, Redis and Postgres run as StatefulSets; the credentials reach the pods only through a Secret', async () => {
  assert.deepEqual(ofKind('apps/v1:StatefulSet').map((r) => r.name).sort(), ['postgres', 'redis']);
  const secret = one('core/v1:Secret');
  assert.ok(secret.secretInputs.has('stringData'));
  const data = secret.inputs.stringData as Record<string, string>;
  assert.match(data.S2S_POSTGRES_URL ?? '', /^postgres:\/\/s2s:generated-postgres-password-x+@postgres:5432\/s2s$/);
  assert.equal(data.S2S_REDIS_URL, 'redis://redis:6379');
  assert.ok(!JSON.stringify(gateway.env).includes('generated-'), 'no secret in the plain env');
  assert.equal(await pulumi.isSecret(stack.outputs.gatewayApiKeys), true);
  assert.equal(await resolve(stack.outputs.gatewayImage), 'registry.example/s2s-gateway:1.2.3-rocm');
});
