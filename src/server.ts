import { Command } from 'commander';
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config/load.ts';
import { ensureModels } from './models/ensure.ts';
import { createProgress } from './models/progress.ts';
import { shutdownTelemetry } from './observability/otel.ts';
import { startGateway } from './app/gateway.ts';

/** After the drain's grace: time for engines and stores to close before the process gives up on them. */
const CLOSE_OVERRUN_MS = 10_000;

/** The gateway's entry point: config, models, listen, and a graceful stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const options = new Command('s2s-gateway')
    .description('Speech-to-speech voice gateway for LangGraph agents')
    .option('-c, --config <file>', 'config file (YAML or JSON); S2S_* environment variables override it')
    .parse()
    .opts<{ config?: string }>();

  let config;
  try {
    config = loadConfig({ file: options.config });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(78); // EX_CONFIG
  }
  const log = pino({ level: config.server.logLevel, base: { service: 's2s-gateway' } });

  const starting = new AbortController();
  process.once('SIGINT', () => starting.abort());
  process.once('SIGTERM', () => starting.abort());
  let models;
  try {
    models = await ensureModels(config, { signal: starting.signal, log, progress: createProgress(process.stderr, log) });
  } catch (err) {
    console.error((err as Error).message);
    process.exit(starting.signal.aborted ? 130 : 1);
  }

  const gateway = await startGateway(config, log, models);
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
