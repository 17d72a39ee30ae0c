import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { Logger } from 'pino';
import { settingsHelp, printableConfig } from './config/describe.ts';
import { ConfigError, loadConfig } from './config/load.ts';
import type { Config } from './config/schema.ts';
import { ensureModels } from './models/ensure.ts';
import { createProgress } from './models/progress.ts';
import { createLogger } from './observability/logger.ts';
import { shutdownTelemetry } from './observability/otel.ts';
import { startUpFailureLine } from './app/start-up-failure.ts';
import { startGateway } from './app/gateway.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const EX_CONFIG = 78;

interface Options {
  config?: string;
  printConfig?: boolean;
}

/** Ends start-up with one line on stderr (the stack only when debugging), never a raw trace. */
function fail(err: unknown, config: Config | undefined, log: Logger | undefined, status: number): never {
  log?.debug({ err }, 'start-up failed');
  process.stderr.write(`s2s-gateway: ${startUpFailureLine(err, config)}\n`);
  process.exit(status);
}

/** After the drain's grace: time for engines and stores to close before the process gives up on them. */
const CLOSE_OVERRUN_MS = 10_000;

/** The gateway's entry point: config, models, listen, and a graceful stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const options = new Command('s2s-gateway')
    .description('Speech-to-speech voice gateway for LangGraph agents')
    .version(version, '-V, --version')
    .option('-c, --config <file>', 'config file (YAML or JSON); S2S_* environment variables override it')
    .option('--print-config', 'print the effective configuration (credentials masked) as JSON and exit')
    .addHelpText('after', settingsHelp())
    .parse()
    .opts<Options>();

  let config: Config;
  try {
    config = loadConfig({ file: options.config });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    fail(err, undefined, undefined, EX_CONFIG);
  }
  if (options.printConfig) {
    process.stdout.write(`${JSON.stringify(printableConfig(config), null, 2)}\n`);
    return;
  }
  const log = createLogger(config.server.logLevel);

  const starting = new AbortController();
  process.once('SIGINT', () => starting.abort());
  process.once('SIGTERM', () => starting.abort());
  let models;
  try {
    models = await ensureModels(config, { signal: starting.signal, log, progress: createProgress(process.stderr, log) });
  } catch (err) {
    fail(err, config, log, starting.signal.aborted ? 130 : 1);
  }

  let gateway;
  try {
    gateway = await startGateway(config, log, models);
  } catch (err) {
    fail(err, config, log, 1);
  }
  log.info({ url: gateway.url }, 'gateway listening');

  // A second signal during the drain gets the default action: the process ends at once.
  const stop = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    // The drain ends itself within the grace; this only catches an engine that will not let go afterwards.
    const overrun = setTimeout(() => {
      log.error({ graceMs: config.server.shutdownGraceMs }, 'shutdown overran the grace');
      process.exit(1);
    }, config.server.shutdownGraceMs + CLOSE_OVERRUN_MS);
    overrun.unref();
    await gateway.drain();
    // A collector that is down must not hold up the exit.
    await shutdownTelemetry(AbortSignal.timeout(5_000));
    process.exit(0);
  };
  process.removeAllListeners('SIGINT').removeAllListeners('SIGTERM');
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

await main();
