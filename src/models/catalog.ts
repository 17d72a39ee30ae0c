import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { GatewayError } from '../core/errors.ts';

const hex = (length: number) => z.string().regex(new RegExp(`^[0-9a-f]{${length}}$`));

const catalogFileSchema = z
  .strictObject({
    /** Local file name inside `models.dir`; Piper wants `<voice>.onnx` and `<voice>.onnx.json` side by side. */
    file: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
    /** Upstream URL, pinned to a revision. A mirror serves the same path under its own origin. */
    url: z.url({ protocol: /^https$/ }),
    /** Null when upstream publishes none (a small file): the download takes the server's length, the SHA-256 decides. */
    size: z.number().int().positive().nullable(),
    sha256: hex(64).nullable(),
    /** Checked only when there is no SHA-256 (piper-voices publishes md5 in voices.json). */
    md5: hex(32).optional(),
    /** True when the SHA-256 comes from published upstream metadata. */
    verified: z.boolean(),
    /** Key into the catalog's `sources`, saying where the hash came from. */
    source: z.string().min(1),
  })
  .refine((f) => (f.sha256 === null ? !f.verified : true), { message: 'a file without sha256 must say verified: false' })
  .refine((f) => f.size !== null || (f.sha256 !== null && f.verified), { message: 'a file without size needs a verified sha256' });

const catalogModelSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  kind: z.enum(['asr', 'tts', 'turns']),
  description: z.string(),
  files: z.array(catalogFileSchema).min(1),
});

const catalogSchema = z
  .strictObject({
    catalogVersion: z.literal(1),
    about: z.string(),
    sources: z.record(z.string(), z.string()),
    models: z.array(catalogModelSchema),
  })
  .refine((c) => new Set(c.models.map((m) => m.name)).size === c.models.length, { message: 'model names must be unique' })
  .refine((c) => c.models.every((m) => m.files.every((f) => f.source in c.sources)), { message: 'every file source must be listed in sources' });

export type Catalog = z.infer<typeof catalogSchema>;
export type CatalogModel = Catalog['models'][number];
export type CatalogFile = CatalogModel['files'][number];

const BUILTIN_CATALOG_PATH = new URL('./catalog.json', import.meta.url);

/** Reads and validates a catalog; the built-in one unless another file is named (custom catalogs use the same schema). */
export function loadCatalog(path: string | URL = BUILTIN_CATALOG_PATH): Catalog {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new GatewayError('model_not_ready', `cannot read model catalog ${String(path)}: ${(err as Error).message}`, { cause: err });
  }
  const result = catalogSchema.safeParse(parsed);
  if (!result.success) {
    throw new GatewayError('model_not_ready', `model catalog ${String(path)} is invalid: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}

/** A config value naming a file rather than a catalog entry: it has a directory part or a model file extension. */
export function looksLikePath(value: string): boolean {
  return value.includes('/') || value.includes('\\') || /\.(bin|onnx)$/i.test(value);
}

export function findModel(catalog: Catalog, name: string, kind?: CatalogModel['kind']): CatalogModel {
  const model = catalog.models.find((m) => m.name === name);
  if (model && (kind === undefined || model.kind === kind)) return model;
  const known = catalog.models.filter((m) => kind === undefined || m.kind === kind).map((m) => m.name);
  const what = kind === undefined ? 'model' : { asr: 'speech recognition model', tts: 'voice', turns: 'turn detection model' }[kind];
  throw new GatewayError(
    'model_not_ready',
    `"${name}" is not a ${what} in the catalog (known: ${known.join(', ')}); give a catalog name or a path to a model file`,
  );
}

export function localPath(modelsDir: string, file: CatalogFile): string {
  return join(resolve(modelsDir), file.file);
}

/** The file the engine loads: the ggml `.bin` or the voice's `.onnx` (its `.onnx.json` sits beside it). */
export function primaryFile(model: CatalogModel): CatalogFile {
  const primary = model.files.find((f) => f.file.endsWith('.bin') || f.file.endsWith('.onnx'));
  if (!primary) throw new GatewayError('model_not_ready', `catalog model ${model.name} has no .bin or .onnx file`);
  return primary;
}

/**
 * Where to fetch a file from. A mirror replaces the upstream origin and keeps the whole upstream path, so a mirror
 * at `https://mirror.example/models` serves `https://mirror.example/models/<owner>/<repo>/resolve/<revision>/<path>`.
 */
export function downloadUrl(file: CatalogFile, mirror?: string): string {
  if (!mirror) return file.url;
  const upstream = new URL(file.url);
  const base = new URL(mirror);
  const prefix = base.pathname.replace(/\/+$/, '');
  return `${base.origin}${prefix}${upstream.pathname}${upstream.search}`;
}
