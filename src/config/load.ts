import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { configSchema, type Config } from './schema.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const PREFIX = 'S2S_';
// The server section's keys are the short names everyone types: S2S_HOST, S2S_PORT, S2S_API_KEYS.
const UNPREFIXED_SECTIONS = new Set(['server']);

const screamingSnake = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}

interface EnvBinding {
  path: [string] | [string, string];
  structured: boolean;
}

/** Environment variable name -> config path, derived from the schema so the two cannot drift. */
export function envBindings(): Map<string, EnvBinding> {
  const bindings = new Map<string, EnvBinding>();
  for (const [key, field] of Object.entries(configSchema.shape)) {
    const inner = unwrap(field);
    if (!(inner instanceof z.ZodObject)) {
      bindings.set(PREFIX + screamingSnake(key), { path: [key], structured: false });
      continue;
    }
    const sectionPrefix = UNPREFIXED_SECTIONS.has(key) ? PREFIX : `${PREFIX}${screamingSnake(key)}_`;
    for (const [leaf, leafSchema] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
      const structured = unwrap(leafSchema) instanceof z.ZodRecord;
      bindings.set(sectionPrefix + screamingSnake(leaf), { path: [key, leaf], structured });
    }
  }
  return bindings;
}

type Tree = Record<string, unknown>;

function readFile(path: string): Tree {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`config file ${path} must hold an object`);
  return parsed as Tree;
}

function fromEnv(env: NodeJS.ProcessEnv): Tree {
  const bindings = envBindings();
  const tree: Tree = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(PREFIX) || raw === undefined) continue;
    const binding = bindings.get(name);
    if (!binding) throw new ConfigError(`unknown setting ${name} (known: ${[...bindings.keys()].sort().join(', ')})`);
    let value: unknown = raw;
    if (binding.structured) {
      try {
        value = JSON.parse(raw);
      } catch {
        throw new ConfigError(`${name} must be JSON`);
      }
    }
    const [section, leaf] = binding.path;
    if (leaf === undefined) tree[section] = value;
    else tree[section] = { ...(tree[section] as Tree | undefined), [leaf]: value };
  }
  return tree;
}

function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    const bothObjects = [prev, value].every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
    out[key] = bothObjects ? merge(prev as Tree, value as Tree) : value;
  }
  return out;
}

function envNameOf(path: PropertyKey[]): string | undefined {
  const dotted = path.slice(0, 2).join('.');
  for (const [name, binding] of envBindings()) if (binding.path.join('.') === dotted) return name;
  return undefined;
}

/** Defaults < config file < S2S_* environment. Throws a ConfigError naming every bad key. */
export function loadConfig(options: { file?: string | undefined; env?: NodeJS.ProcessEnv } = {}): Config {
  const fileTree = options.file ? readFile(options.file) : {};
  const tree = merge(fileTree, fromEnv(options.env ?? process.env));
  const result = configSchema.safeParse(tree);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.join('.') || '(root)';
    const envName = envNameOf(issue.path);
    return `  ${key}${envName ? ` (${envName})` : ''}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
}
