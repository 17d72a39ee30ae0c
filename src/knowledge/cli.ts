import { relative, resolve, sep } from 'node:path';
import cliProgress from 'cli-progress';
import { Command } from 'commander';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { EmbeddingsClient } from './embeddings.ts';
import { collectFiles, Ingestor, type IngestOutcome } from './ingest.ts';
import { KnowledgeBase, openKnowledgeStore } from './knowledge-base.ts';
import type { KnowledgeStore } from './store.ts';
import { runCli, type CliIo } from '../core/cli.ts';

export type KnowledgeCliIo = CliIo;

/** A command that ran but failed for some input (an unreadable file): exit status 1. */
export class KnowledgeCommandFailed extends Error {
  override name = 'KnowledgeCommandFailed';
}

/** A bar over the files on a terminal; a line per file otherwise (logs, pipes, CI). */
function fileProgress(io: KnowledgeCliIo, total: number) {
  if (!io.stderr.isTTY) return { tick: (_file: string) => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { stream: io.stderr, format: 'ingesting [{bar}] {value}/{total} files | {file}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { file: '' });
  return { tick: (file: string) => bar.increment(1, { file }), stop: () => bar.stop() };
}

const shown = (source: string) => relative(process.cwd(), source) || source;

function describe(outcome: IngestOutcome): string {
  switch (outcome.status) {
    case 'added':
    case 'updated':
      return `${outcome.status} ${shown(outcome.source)} (${outcome.chunks} chunk${outcome.chunks === 1 ? '' : 's'})`;
    case 'unchanged':
      return `unchanged ${shown(outcome.source)}`;
    case 'failed':
      return `failed ${shown(outcome.source)}: ${outcome.error}`;
  }
}

/** `knowledge ingest PATH... | list | remove PATH... | search QUERY`, against the store the config names. */
export function buildKnowledgeProgram(io: KnowledgeCliIo): Command {
  const program = new Command('knowledge')
    .description('manage the documents the built-in agent searches (embedded store, or Qdrant with S2S_QDRANT_URL)')
    .option('--config <file>', 'config file (YAML or JSON), as for the server')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  const config = (): Config => loadConfig({ file: program.opts<{ config?: string }>().config, env: io.env });
  /** Only ingestion creates the embedded store: reading or removing from one that is not there finds nothing. */
  const withStore = async (create: boolean, work: (store: KnowledgeStore | undefined, config: Config) => Promise<void>): Promise<void> => {
    const current = config();
    const store = openKnowledgeStore(current, { create });
    try {
      await work(store, current);
    } finally {
      await store?.close();
    }
  };

  program
    .command('ingest')
    .description('add or update Markdown, text, HTML and PDF files (folders are searched); unchanged files are skipped')
    .argument('<paths...>', 'files or folders')
    .action((paths: string[]) =>
      withStore(true, async (store, current) => {
        const { files, missing } = await collectFiles(paths);
        const ingestor = new Ingestor(store as KnowledgeStore, new EmbeddingsClient(current.embeddings), current.knowledge.chunkChars);
        const outcomes: IngestOutcome[] = [...missing];
        const progress = fileProgress(io, files.length);
        try {
          for (const file of files) {
            outcomes.push(await ingestor.ingest(file, io.signal));
            progress.tick(shown(file));
          }
        } finally {
          progress.stop();
        }
        for (const outcome of outcomes) io.stdout.write(`${describe(outcome)}\n`);
        const failed = outcomes.filter((o) => o.status === 'failed').length;
        if (failed > 0) throw new KnowledgeCommandFailed(`${failed} of ${outcomes.length} file${outcomes.length === 1 ? '' : 's'} failed; the others were ingested`);
      }),
    );

  program
    .command('list')
    .description('show the ingested documents')
    .action(() =>
      withStore(false, async (store, current) => {
        const documents = (await store?.documents()) ?? [];
        if (documents.length === 0) io.stdout.write(`no documents (${current.qdrantUrl ? 'qdrant' : 'embedded'} store)\n`);
        for (const d of documents) io.stdout.write(`${shown(d.source)}\t${d.chunks} chunks\t${d.ingestedAt}\n`);
      }),
    );

  program
    .command('remove')
    .description('forget documents: a file, or every document under a folder')
    .argument('<paths...>', 'files or folders as they were ingested')
    .action((paths: string[]) =>
      withStore(false, async (store) => {
        const documents = (await store?.documents()) ?? [];
        let unmatched = 0;
        for (const path of paths.map((p) => resolve(p))) {
          const matching = documents.filter((d) => d.source === path || d.source.startsWith(path + sep));
          if (matching.length === 0) {
            unmatched++;
            io.stdout.write(`not found ${shown(path)}\n`);
          }
          for (const d of matching) if (await store?.remove(d.source)) io.stdout.write(`removed ${shown(d.source)}\n`);
        }
        if (unmatched > 0) throw new KnowledgeCommandFailed(`${unmatched} path${unmatched === 1 ? ' matches' : 's match'} no ingested document (see \`knowledge list\`)`);
      }),
    );

  program
    .command('search')
    .description('show the passages the agent would get for a question')
    .argument('<query>', 'the question')
    .action(async (query: string) => {
      const knowledge = KnowledgeBase.fromConfig(config());
      try {
        const passages = await knowledge.search(query, io.signal);
        if (passages.length === 0) io.stdout.write('no passages\n');
        for (const p of passages) {
          io.stdout.write(`${p.score.toFixed(3)}  ${shown(p.source)}${p.heading ? ` > ${p.heading}` : ''}\n  ${p.text}\n`);
        }
      } finally {
        await knowledge.close();
      }
    });

  return program;
}

// Ctrl-C between files: what was ingested stays; the file being written is left as it was before.
if (import.meta.main) await runCli(buildKnowledgeProgram, 'interrupted');
