/**
 * Bootstrap, loaded before the app: `node --import ./src/observability/otel.ts src/server.ts`.
 * With no OTEL_* configuration it does nothing at all.
 */
import { shutdownTelemetryQuietly, startTelemetry, TelemetryConfigError } from './telemetry.ts';

/** For server.ts: importing it from here is the same module instance the `--import` loaded. */
export { shutdownTelemetry } from './telemetry.ts';

/** Bounds the flush when a signal ends a program that does not handle signals. */
const SIGNAL_FLUSH_TIMEOUT_MS = 5_000;

/** An OTEL_* setting the gateway cannot honour stops start-up in one line, like its own settings. */
async function start(): Promise<boolean> {
  try {
    return await startTelemetry();
  } catch (err) {
    if (!(err instanceof TelemetryConfigError)) throw err;
    process.stderr.write(`s2s-gateway: ${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
}

if (await start()) {
  // A program that ends by itself (a CLI, a script) still exports its last spans.
  process.once('beforeExit', () => void shutdownTelemetryQuietly());

  // server.ts handles SIGTERM/SIGINT itself (drain sessions, then shutdownTelemetry()), and its handler must not race
  // a flush here. Only a program without handlers of its own gets a flush, then the signal's default action.
  for (const signalName of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signalName, () => {
      if (process.listenerCount(signalName) > 0) return;
      void shutdownTelemetryQuietly(AbortSignal.timeout(SIGNAL_FLUSH_TIMEOUT_MS)).finally(() =>
        process.kill(process.pid, signalName),
      );
    });
  }
}
