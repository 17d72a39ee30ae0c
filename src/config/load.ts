import { readFileSync } from 'node:fs';
import { closest, distance } from 'fastest-levenshtein';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { engines, type EngineKind } from '../engines/registry.ts';
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
  for (;;) {
    if (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.out as z.ZodType;
    else return s;
  }
}

interface EnvBinding {
  path: [string] | [string, string];
  structured: boolean;
  /** For an engine section's leaf: the engines that have it. */
  engines?: string[];
}

/** A section's leaves; an engine section (a union of strict objects) has every engine's, each with its engines. */
function sectionLeaves(section: z.ZodType): Map<string, { schema: z.ZodType; engines?: string[] }> | undefined {
  if (section instanceof z.ZodObject) return new Map(Object.entries(section.shape as Record<string, z.ZodType>).map(([leaf, schema]) => [leaf, { schema }]));
  if (!(section instanceof z.ZodDiscriminatedUnion)) return undefined;
  const leaves = new Map<string, { schema: z.ZodType; engines: string[] }>();
  for (const option of section.options as z.ZodObject[]) {
    const engine = String((option.shape.engine as z.ZodLiteral).value);
    for (const [leaf, schema] of Object.entries(option.shape as Record<string, z.ZodType>)) {
      const seen = leaves.get(leaf);
      if (seen && (unwrap(seen.schema) instanceof z.ZodRecord) !== (unwrap(schema) instanceof z.ZodRecord)) {
        // One variable cannot be JSON for one engine and plain text for another.
        throw new Error(`engines ${seen.engines.join(', ')} and ${engine} give "${leaf}" different kinds of value`);
      }
      leaves.set(leaf, { schema, engines: [...(seen?.engines ?? []), engine] });
    }
  }
  return leaves;
}

/**
 * Environment variable name -> config path, derived from the schema so the two cannot drift. An engine section
 * gets a variable for every engine's leaves; a variable for a leaf the chosen engine lacks is an error that says
 * which engine has it.
 */
export function envBindings(): Map<string, EnvBinding> {
  const bindings = new Map<string, EnvBinding>();
  for (const [key, field] of Object.entries(configSchema.shape)) {
    const leaves = sectionLeaves(unwrap(field));
    if (!leaves) {
      bindings.set(PREFIX + screamingSnake(key), { path: [key], structured: false });
      continue;
    }
    const sectionPrefix = UNPREFIXED_SECTIONS.has(key) ? PREFIX : `${PREFIX}${screamingSnake(key)}_`;
    for (const [leaf, { schema, engines }] of leaves) {
      const structured = unwrap(schema) instanceof z.ZodRecord;
      bindings.set(sectionPrefix + screamingSnake(leaf), { path: [key, leaf], structured, ...(engines && leaf !== 'engine' && { engines }) });
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
  const unknown = Object.keys(env).filter((name) => name.startsWith(PREFIX) && env[name] !== undefined && !bindings.has(name));
  // Every misspelt name at once: fixing them one start-up at a time is how operators lose an afternoon.
  if (unknown.length > 0) throw new ConfigError(`unknown settings:\n${unknown.sort().map((name) => `  ${name}${suggestion(name, bindings)}`).join('\n')}\n(\`--help\` lists every setting)`);
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(PREFIX) || raw === undefined) continue;
    const binding = bindings.get(name);
    if (!binding) continue;
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

/** A near name (a typo or a misplaced underscore), or nothing when no known name is close. */
function suggestion(name: string, bindings: Map<string, EnvBinding>): string {
  const known = [...bindings.keys()];
  const squash = (n: string) => n.replaceAll('_', '');
  const sameLetters = known.find((k) => squash(k) === squash(name));
  const near = sameLetters ?? closest(name, known);
  const close = sameLetters !== undefined || distance(name, near) <= Math.max(2, Math.floor(name.length / 5));
  return close ? `: did you mean ${near}?` : '';
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

/** `tts.url (S2S_TTS_URL)`: a config key and, when it has one, its variable. */
export function describeKey(path: readonly PropertyKey[]): string {
  const dotted = path.slice(0, 2).join('.');
  const key = path.join('.') || '(root)';
  for (const [name, binding] of envBindings()) if (binding.path.join('.') === dotted) return `${key} (${name})`;
  return key;
}

/** Names the engine that has the key when the chosen engine lacks it. */
function unknownKeyMessage(tree: Tree, sectionPath: readonly PropertyKey[], leaf: string): string {
  const binding = [...envBindings().values()].find((b) => b.path.join('.') === [...sectionPath, leaf].join('.'));
  if (!binding?.engines) return 'unknown key';
  const section = sectionPath.length === 1 ? (tree[String(sectionPath[0])] as Tree | undefined) : undefined;
  const kind = String(sectionPath[0]);
  const chosen = typeof section?.engine === 'string' ? section.engine : (engines[kind as EngineKind] as readonly { id: string }[] | undefined)?.[0]?.id;
  return `a setting of ${binding.engines.join(', ')}, not of ${chosen} (set ${kind}.engine to use it)`;
}

/** Defaults < config file < S2S_* environment. Throws a ConfigError naming every bad key. */
export function loadConfig(options: { file?: string | undefined; env?: NodeJS.ProcessEnv } = {}): Config {
  const fileTree = options.file ? readFile(options.file) : {};
  const tree = merge(fileTree, fromEnv(options.env ?? process.env));
  const result = configSchema.safeParse(tree);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((leaf) => `  ${describeKey([...issue.path, leaf])}: ${unknownKeyMessage(tree, issue.path, leaf)}`);
    return [`  ${describeKey(issue.path)}: ${issue.message}`];
  });
  throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
}
