import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Dispatcher } from 'undici';
import { describeKey } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import type { ModelFiles, ModelRequest } from '../contracts/engine.ts';
import { modelRequests } from '../engines/registry.ts';
import { GatewayError } from '../core/errors.ts';
import { downloadUrl, findModel, loadCatalog, localPath, looksLikePath, primaryFile, type Catalog, type CatalogFile } from './catalog.ts';
import { DownloadError, downloadFile, type DownloadSettings, type ModelLog, type ProgressListener } from './download.ts';
import { formatBytes } from './progress.ts';

export interface EnsureModelsOptions {
  signal: AbortSignal;
  log?: ModelLog;
  /** Download progress; `createProgress(process.stderr, log)` gives a bar on a terminal and log lines otherwise. */
  progress?: ProgressListener;
  /** The built-in catalog unless given. */
  catalog?: Catalog;
  download?: Partial<DownloadSettings>;
  dispatcher?: Dispatcher;
}

interface NeededFile {
  file: CatalogFile;
  dest: string;
  url: string;
}

/**
 * Resolves the models the configured engines ask for (`asr.model`, Piper's voices...) to files, fetching catalog models missing from `models.dir` when
 * `models.autoFetch` is on. Explicit paths are used as they are and never fetched. When the network is unreachable it
 * fails at once with one error naming every missing file, its URL and the exact path to put it by hand.
 */
export async function ensureModels(config: Config, options: EnsureModelsOptions): Promise<ModelFiles> {
  const catalog = options.catalog ?? loadCatalog();
  const needed = new Map<string, NeededFile>();
  const missingExplicit: string[] = [];

  const resolveConfigured = async ({ key, value, kind, companions = [] }: ModelRequest): Promise<string> => {
    if (looksLikePath(value)) {
      const path = resolve(value);
      const required = [path, ...companions.map((suffix) => `${path}${suffix}`)];
      for (const file of required) if (!(await isFile(file))) missingExplicit.push(`${describeKey(key)} = ${value}: ${file} does not exist`);
      return path;
    }
    const model = findModel(catalog, value, kind);
    for (const file of model.files) {
      const dest = localPath(config.models.dir, file);
      if (!(await isInstalled(dest, file))) needed.set(dest, { file, dest, url: downloadUrl(file, config.models.mirror) });
    }
    return localPath(config.models.dir, primaryFile(model));
  };

  const files: Record<string, string> = {};
  for (const request of modelRequests(config)) files[request.value] ??= await resolveConfigured(request);

  if (missingExplicit.length > 0) {
    throw new GatewayError('model_not_ready', `configured model files are missing (explicit paths are never downloaded):\n  ${missingExplicit.join('\n  ')}`);
  }

  const queue = [...needed.values()];
  if (queue.length > 0 && !config.models.autoFetch) {
    throw new GatewayError('model_not_ready', missingFilesMessage('model files are missing and models.autoFetch is off (S2S_MODELS_AUTO_FETCH)', queue));
  }
  for (const [index, item] of queue.entries()) {
    options.log?.info({ file: item.file.file, url: item.url, dest: item.dest, bytes: item.file.size }, 'fetching missing model file');
    try {
      await downloadFile({
        url: item.url,
        dest: item.dest,
        file: item.file,
        signal: options.signal,
        settings: options.download,
        dispatcher: options.dispatcher,
        log: options.log,
        onProgress: options.progress,
      });
    } catch (err) {
      if (err instanceof DownloadError && err.reason === 'unreachable') {
        throw new GatewayError('model_not_ready', missingFilesMessage(`cannot download model files: ${err.message}`, queue.slice(index)), { cause: err });
      }
      throw err;
    }
  }

  return files;
}

function missingFilesMessage(headline: string, files: NeededFile[]): string {
  const lines = files.map(({ file, url, dest }) => {
    const digest = file.sha256 ? `sha256 ${file.sha256}` : file.md5 ? `md5 ${file.md5}` : 'no published digest';
    const size = file.size === null ? 'size not published' : `${file.size} bytes, ${formatBytes(file.size)}`;
    return `  ${file.file} (${size}, ${digest})\n    from: ${url}\n    to:   ${dest}`;
  });
  return [
    headline,
    `Missing ${files.length} file${files.length === 1 ? '' : 's'}. Download each one and put it at the path shown, then start again`,
    '(or set S2S_MODELS_MIRROR to a reachable mirror, or S2S_ASR_MODEL / S2S_TTS_VOICE / S2S_TTS_VOICES_BY_LANG / S2S_TURN_DETECTOR_MODEL to files you already have):',
    ...lines,
  ].join('\n');
}

async function sizeOrUndefined(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

/** At its final name a file was verified when it was written; its size tells a swapped one, where it is known. */
export async function isInstalled(path: string, file: CatalogFile): Promise<boolean> {
  const size = await sizeOrUndefined(path);
  return size !== undefined && (file.size === null || size === file.size);
}

async function isFile(path: string): Promise<boolean> {
  return (await sizeOrUndefined(path)) !== undefined;
}
