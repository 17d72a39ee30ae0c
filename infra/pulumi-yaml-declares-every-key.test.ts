import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';

const project = parseYaml(readFileSync(new URL('../Pulumi.yaml', import.meta.url), 'utf8')) as {
  config: Record<string, { type?: string; default?: unknown; description?: string }>;
};
const program = readFileSync(new URL('./config.ts', import.meta.url), 'utf8');
const readKeys = new Set([...program.matchAll(/config\.(?:get|require|getNumber|requireNumber|getSecret|requireSecret|getBoolean|requireBoolean)(?:<[^>]+>)?\('([A-Za-z]+)'/g)].map((m) => m[1]));
// Keys read through a helper: `gid('videoGid')`, `port('gatewayPort')`, `externalUrl('redisUrl')`.
for (const m of program.matchAll(/\b(?:gid|port|externalUrl)\('([A-Za-z]+)'\)/g)) readKeys.add(m[1]);

test('every key the program reads is declared in Pulumi.yaml, and nothing declared is unused', () => {
  assert.ok(readKeys.size > 20);
  assert.deepEqual([...readKeys].sort(), Object.keys(project.config).sort());
});

test('each declared key has a type, a default and a description', () => {
  for (const [key, spec] of Object.entries(project.config)) {
    assert.ok(spec.type === 'string' || spec.type === 'integer' || spec.type === 'boolean', `${key}: type`);
    // A declared key without a default is one the CLI refuses to run without.
    assert.notEqual(spec.default, undefined, `${key}: default`);
    assert.equal(typeof spec.default, spec.type === 'integer' ? 'number' : spec.type, `${key}: default matches type`);
    assert.ok((spec.description ?? '').length > 10, `${key}: description`);
  }
});
