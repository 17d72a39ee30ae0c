import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as pulumi from '@pulumi/pulumi';
import { loadConfig } from '../src/config/load.ts';
import { writeDashboardsFixture } from './dashboards-fixture.ts';
import { container, containers, envOf, resolve, runStackWithMocks } from './mocked-stack.ts';

const USER_KEYS = 'client-key-one,client-key-two';
const stack = await runStackWithMocks({
  config: { gpu: 'none', dockerHost: 'ssh://deploy@cpu-box' },
  secretConfig: { apiKeys: USER_KEYS },
  dashboardsDir: writeDashboardsFixture(),
});

test('a CPU-only stack maps no devices and adds no groups', () => {
  for (const c of containers(stack)) {
    assert.deepEqual(c.inputs.devices ?? [], [], c.name);
    assert.deepEqual(c.inputs.groupAdds ?? [], [], c.name);
  }
});

test('a CPU-only stack runs the CPU images and the CPU whisper build', () => {
  // Built here from the CPU Dockerfile, tagged by content.
  assert.match(String(container(stack, 'gateway').inputs.image), /^s2s-gateway:[0-9a-f]{16}-cpu$/);
  const build = stack.resources.find((r) => r.type === 'docker:index/image:Image');
  assert.match(String((build?.inputs.build as { dockerfile: string }).dockerfile), /docker\/Dockerfile\.cpu$/);
  assert.equal(container(stack, 'llm').inputs.image, 'ghcr.io/ggml-org/llama.cpp:server-b7964');
  const env = envOf(container(stack, 'gateway'));
  assert.equal(env.get('S2S_ASR_VARIANT'), 'default');
  assert.equal(env.get('S2S_ASR_USE_GPU'), 'false');
  const command = container(stack, 'llm').inputs.command as string[];
  assert.equal(command[command.indexOf('-ngl') + 1], '0');
});

test('the Docker provider targets the configured ssh host', () => {
  const provider = stack.resources.find((r) => r.type === 'pulumi:providers:docker');
  assert.equal(provider?.inputs.host, 'ssh://deploy@cpu-box');
});

test('API keys set as a secret reach the gateway as a secret and come out as a secret', async () => {
  const gateway = container(stack, 'gateway');
  assert.equal(envOf(gateway).get('S2S_API_KEYS'), USER_KEYS);
  assert.ok(gateway.secretInputs.has('envs'));
  assert.equal(await pulumi.isSecret(stack.outputs.gatewayApiKeys), true);
  assert.equal(await resolve(stack.outputs.gatewayApiKeys), USER_KEYS);
  assert.ok(!JSON.stringify([stack.outputs.gatewayUrl, stack.outputs.grafanaUrl]).includes('client-key'));
});

test("the gateway's environment is a configuration the gateway accepts", () => {
  const config = loadConfig({ env: Object.fromEntries(envOf(container(stack, 'gateway'))) });
  assert.equal(config.server.host, '0.0.0.0');
  assert.equal(config.llm.baseUrl, 'http://llm:8080/v1');
  assert.equal(config.postgresUrl?.startsWith('postgres://s2s:'), true);
});
