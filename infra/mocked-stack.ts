// Test support: runs the Pulumi program under `pulumi.runtime.setMocks`, with the stack config the Pulumi CLI
// would build (Pulumi.yaml defaults, then the test's values), and records what each resource was given.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { parse as parseYaml } from 'yaml';
import { readStackConfig } from './config.ts';
import { readObservabilityFiles } from './observability-files.ts';
import { createStack, type StackOutputs } from './stack.ts';

export const PROJECT = 's2s-gateway';
const PULUMI_YAML = fileURLToPath(new URL('../Pulumi.yaml', import.meta.url));

export interface RecordedResource {
  type: string;
  name: string;
  /** Inputs as the provider would receive them, secrets unwrapped. */
  inputs: Record<string, unknown>;
  /** Top-level inputs the program sent as secrets (kept encrypted in the state). */
  secretInputs: Set<string>;
}

export interface MockedStack {
  resources: RecordedResource[];
  outputs: StackOutputs;
  /** Every value the mocked `RandomPassword`s produced. */
  generatedSecrets: string[];
}

/** Pulumi.yaml's declared defaults, keyed the way the CLI hands them to the program. */
export function projectDefaults(): Record<string, string> {
  const project = parseYaml(readFileSync(PULUMI_YAML, 'utf8')) as { config: Record<string, { default?: unknown }> };
  const defaults: Record<string, string> = {};
  for (const [key, spec] of Object.entries(project.config)) {
    if (spec.default !== undefined) defaults[`${PROJECT}:${key}`] = String(spec.default);
  }
  return defaults;
}

export interface MockRun {
  config: Record<string, string>;
  secretConfig?: Record<string, string>;
  /** A `dashboards/`-shaped tree. */
  dashboardsDir: string;
}

/** One stack run per process: Pulumi's runtime state is global. */
export async function runStackWithMocks({ config, secretConfig = {}, dashboardsDir }: MockRun): Promise<MockedStack> {
  const prefixed = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [`${PROJECT}:${k}`, v]));
  pulumi.runtime.setAllConfig({ ...projectDefaults(), ...prefixed(config), ...prefixed(secretConfig) }, Object.keys(prefixed(secretConfig)));

  const resources: RecordedResource[] = [];
  const generatedSecrets: string[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const inputs: Record<string, unknown> = {};
        const secretInputs = new Set<string>();
        for (const [key, value] of Object.entries(args.inputs as Record<string, unknown>)) {
          if (pulumi.runtime.isRpcSecret(value)) secretInputs.add(key);
          inputs[key] = pulumi.runtime.unwrapRpcSecret(value);
        }
        const state: Record<string, unknown> = { ...inputs };
        if (args.type === 'random:index/randomPassword:RandomPassword') {
          state.result = `generated-${args.name}-${'x'.repeat(16)}`;
          generatedSecrets.push(state.result as string);
        }
        if (args.type === 'docker:index/remoteImage:RemoteImage') state.imageId = args.inputs.name;
        resources.push({ type: args.type, name: args.name, inputs, secretInputs });
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    PROJECT,
    'test',
  );

  let outputs: StackOutputs | undefined;
  await pulumi.runtime.runInPulumiStack(async () => {
    outputs = createStack(readStackConfig(), readObservabilityFiles(dashboardsDir));
    return outputs;
  });
  // Waits for every registration the program started.
  await pulumi.runtime.disconnect();
  if (!outputs) throw new Error('the program returned no outputs');
  return { resources, outputs, generatedSecrets };
}

export function containers(stack: MockedStack): RecordedResource[] {
  return stack.resources.filter((r) => r.type === 'docker:index/container:Container');
}

export function container(stack: MockedStack, alias: string): RecordedResource {
  const found = containers(stack).find((c) => c.name === alias);
  if (!found) throw new Error(`no container ${alias}`);
  return found;
}

export function envOf(resource: RecordedResource): Map<string, string> {
  const envs = (resource.inputs.envs ?? []) as string[];
  return new Map(envs.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

export function resolve<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((done) => output.apply(done));
}
