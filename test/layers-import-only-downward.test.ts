import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const SRC = new URL('../src/', import.meta.url).pathname;

/**
 * The layers of docs/architecture.md, bottom up. A folder may import from its own layer and those below; the core
 * (contracts, stages, session) never reaches a transport, an engine, the app, the config or a wire library.
 */
const FORBIDDEN: Record<string, RegExp> = {
  core: /\/(contracts|stages|session|engines|transports|app|config|agent|models)\/|^(ws|fastify|@fastify\/)/,
  contracts: /\/(stages|session|engines|transports|app|config|agent|models)\/|^(ws|fastify|@fastify\/)/,
  audio: /\/(session|engines|transports|app|config|agent|models)\/|^(ws|fastify|@fastify\/)/,
  stages: /\/(session|engines|transports|app|config|agent|models)\/|^(ws|fastify|@fastify\/)/,
  session: /\/(engines|transports|app|config|agent|models)\/|^(ws|fastify|@fastify\/)/,
  speech: /\/(session|engines|transports|app|config|agent|models)\/|^(ws|fastify|@fastify\/)/,
  engines: /\/(session|transports|app)\/|^(fastify|@fastify\/)/,
  transports: /\/(app|engines|config)\//,
  knowledge: /\/(session|transports|app|agent)\/|^(ws|fastify|@fastify\/)/,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

test('each layer imports only from the layers below it', () => {
  const violations: string[] = [];
  for (const [layer, forbidden] of Object.entries(FORBIDDEN)) {
    for (const file of sourceFiles(join(SRC, layer))) {
      const imports = [...readFileSync(file, 'utf8').matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1] as string);
      for (const spec of imports) if (forbidden.test(spec)) violations.push(`${relative(SRC, file)} imports ${spec}`);
    }
  }
  assert.deepEqual(violations, []);
});
