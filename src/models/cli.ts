import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { describeKey, loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import type { ModelRequest } from '../contracts/engine.ts';
import { modelRequests } from '../engines/registry.ts';
import { downloadUrl, findModel, loadCatalog, localPath, looksLikePath, type Catalog, type CatalogModel } from './catalog.ts';
import { downloadFile, partialPath, type ModelLog } from './download.ts';
import { isInstalled } from './ensure.ts';
import { createProgress, formatBytes } from './progress.ts';
import { checkFile } from './verify.ts';
import { runCli, type CliIo } from '../core/cli.ts';

export type ModelsCliIo = CliIo;

/** A command that ran but found a problem (a failed download, a hash mismatch): exit status 1. */
export class ModelsCommandFailed extends Error {
  override name = 'ModelsCommandFailed';
}

interface GlobalOptions {
  config?: string;
  catalog?: string;
}

/** Log lines for a person: the static message, then the fields as key=value. */
export function lineLog(stream: NodeJS.WritableStream): ModelLog {
  const write = (fields: Record<string, unknown>, msg: string) => {
    const rendered = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    stream.write(`${[msg, ...rendered].join(' ')}\n`);
  };
  return { info: write, warn: (fields, msg) => write(fields, `warning: ${msg}`) };
}

/** `models list | fetch NAME... | verify [NAME...]`, mountable under another program (e.g. the package's bin). */
export function buildModelsProgram(io: ModelsCliIo): Command {
  const program = new Command('models')
    .description('list, fetch and verify the model files the gateway uses')
    .option('--config <file>', 'config file (YAML or JSON), as for the server')
    .option('--catalog <file>', 'use another model catalog file (same schema as the built-in one)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  const context = () => {
    const options = program.opts<GlobalOptions>();
    const config = loadConfig({ file: options.config, env: io.env });
    const catalog = options.catalog ? loadCatalog(options.catalog) : loadCatalog();
    return { config, catalog };
  };

  program
    .command('list')
    .description('show the catalog\'s models and which are installed in models.dir')
    .action(async () => {
      const { config, catalog } = context();
      io.stdout.write(await renderList(config, catalog));
    });

  program
    .command('fetch')
    .description('download models into models.dir, verifying each file')
    .argument('<names...>', 'catalog names (see `list`)')
    .action(async (names: string[]) => {
      const { config, catalog } = context();
      const models = names.map((name) => findModel(catalog, name));
      const log = lineLog(io.stderr);
      const progress = createProgress(io.stderr, log);
      for (const model of models) {
        for (const file of model.files) {
          const dest = localPath(config.models.dir, file);
          if (await isInstalled(dest, file)) {
            log.info({ file: file.file, dest }, 'already installed');
            continue;
          }
          const url = downloadUrl(file, config.models.mirror);
          log.info({ file: file.file, url, dest }, 'fetching');
          await downloadFile({ url, dest, file, signal: io.signal, log, onProgress: progress });
        }
      }
    });

  program
    .command('verify')
    .description('recheck sizes and hashes of installed models (all installed ones unless named) and report configured models that are missing; exits 1 on either')
    .argument('[names...]', 'catalog names (default: every installed model and every configured one)')
    .action(async (names: string[]) => {
      const { config, catalog } = context();
      const named = names.length > 0;
      const models = named ? names.map((name) => findModel(catalog, name)) : catalog.models;
      const configured = new Map(modelRequests(config).map((request) => [request.value, request]));
      let failures = 0;
      let checked = 0;
      for (const model of models) {
        const configuredAs = configured.get(model.name);
        for (const file of model.files) {
          const path = localPath(config.models.dir, file);
          const result = await checkFile(path, file, io.signal);
          if (result.status === 'missing') {
            // An unconfigured catalog model that is not installed is just not in use; a configured one stops start-up.
            if (named || configuredAs) {
              failures++;
              io.stdout.write(`MISSING   ${model.name}: ${path}${configuredAs ? ` (configured as ${describeKey(configuredAs.key)})` : ''}\n`);
            }
            continue;
          }
          checked++;
          if (result.status === 'ok') {
            const how = result.algorithm === 'size' ? 'size only: no published digest' : result.algorithm;
            io.stdout.write(`ok        ${model.name}: ${file.file} (${how})\n`);
          } else if (result.status === 'size_mismatch') {
            failures++;
            io.stdout.write(`MISMATCH  ${model.name}: ${path} has ${result.actual} bytes, expected ${result.expected}\n`);
          } else {
            failures++;
            io.stdout.write(`MISMATCH  ${model.name}: ${path} ${result.algorithm} expected ${result.expected}, got ${result.actual}\n`);
          }
        }
      }
      if (!named) failures += await reportMissingConfigured([...configured.values()], catalog, io.stdout);
      if (checked === 0 && failures === 0 && !named) io.stdout.write(`no installed models in ${resolve(config.models.dir)}\n`);
      if (failures > 0) throw new ModelsCommandFailed(`${failures} file${failures === 1 ? '' : 's'} missing or failed verification; fetch them with \`models fetch NAME\` (explicit paths: put the file there)`);
    });

  return program;
}

async function renderList(config: Config, catalog: Catalog): Promise<string> {
  const inUse = new Set(modelRequests(config).map((request) => request.value));
  const rows: string[][] = [['NAME', 'KIND', 'SIZE', 'STATUS', 'DESCRIPTION']];
  for (const model of catalog.models) {
    // A file without a published size is small (a tokenizer's JSON beside its model).
    const total = model.files.reduce((sum, f) => sum + (f.size ?? 0), 0);
    rows.push([`${inUse.has(model.name) ? '*' : ' '} ${model.name}`, model.kind, formatBytes(total), await statusOf(config, model), model.description]);
  }
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => row[col]?.length ?? 0))) ?? [];
  const table = rows.map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col] ?? 0))).join('  ').trimEnd());
  const mirror = config.models.mirror ? `, mirror ${config.models.mirror}` : '';
  return `models.dir ${resolve(config.models.dir)}${mirror}; * = configured\n${table.join('\n')}\n`;
}

async function statusOf(config: Config, model: CatalogModel): Promise<string> {
  let installed = 0;
  let partialBytes = 0;
  let wrongSize = false;
  for (const file of model.files) {
    const dest = localPath(config.models.dir, file);
    const size = await sizeOf(dest);
    if (await isInstalled(dest, file)) installed++;
    else if (size !== undefined) wrongSize = true;
    partialBytes += (await sizeOf(partialPath(dest))) ?? 0;
  }
  if (wrongSize) return 'wrong size (run verify)';
  if (installed === model.files.length) return 'installed';
  if (partialBytes > 0) return `partial ${formatBytes(partialBytes)} (fetch resumes)`;
  return installed > 0 ? 'incomplete' : 'not installed';
}

/** Configured models the catalog check above cannot see: explicit paths, and names this catalog does not have. */
async function reportMissingConfigured(requests: ModelRequest[], catalog: Catalog, out: NodeJS.WritableStream): Promise<number> {
  let missing = 0;
  for (const request of requests) {
    if (!looksLikePath(request.value)) {
      if (!catalog.models.some((model) => model.name === request.value)) {
        missing++;
        out.write(`MISSING   ${request.value}: not in the catalog (configured as ${describeKey(request.key)})\n`);
      }
      continue;
    }
    for (const path of [request.value, ...(request.companions ?? []).map((suffix) => `${request.value}${suffix}`)]) {
      if ((await sizeOf(resolve(path))) !== undefined) continue;
      missing++;
      out.write(`MISSING   ${resolve(path)} (configured as ${describeKey(request.key)})\n`);
    }
  }
  return missing;
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

// Ctrl-C keeps the partial file: the next fetch resumes it.
if (import.meta.main) await runCli(buildModelsProgram, 'interrupted; run the same command again to resume');
