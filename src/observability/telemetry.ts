import { diag } from '@opentelemetry/api';
import { getBooleanFromEnv, getStringFromEnv, getStringListFromEnv } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** service.name unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise. */
const DEFAULT_SERVICE_NAME = 's2s-gateway';

let provider: NodeTracerProvider | undefined;
let stopInstrumentations: (() => void) | undefined;
/** Set before the SDK loads, so a second call cannot start a second SDK meanwhile. */
let startRequested = false;

/** A telemetry setting the gateway cannot honour: the bootstrap reports it in one line and stops. */
export class TelemetryConfigError extends Error {
  override name = 'TelemetryConfigError';
}

/**
 * Whether the standard OTEL_* variables ask for traces: an OTLP endpoint, or an explicit OTEL_TRACES_EXPORTER
 * (`console` for a quick look; `otlp` alone means the default localhost:4318). OTEL_SDK_DISABLED=true wins.
 */
function tracingConfigured(): boolean {
  if (getBooleanFromEnv('OTEL_SDK_DISABLED')) return false;
  const exporters = getStringListFromEnv('OTEL_TRACES_EXPORTER') ?? [];
  if (exporters[0] === 'none') return false;
  if (exporters.length > 0) return true;
  return (
    getStringFromEnv('OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined ||
    getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') !== undefined
  );
}

/**
 * The exporters OTEL_TRACES_EXPORTER names (default `otlp`), each reading its endpoint, headers and timeout from
 * OTEL_EXPORTER_OTLP_*. Only the HTTP encodings are installed: gRPC would add its own stack for the same spans.
 */
async function exportersFromEnv(): Promise<SpanExporter[]> {
  const names = getStringListFromEnv('OTEL_TRACES_EXPORTER') ?? ['otlp'];
  return Promise.all(
    names.map(async (name): Promise<SpanExporter> => {
      if (name === 'console') return new (await import('@opentelemetry/sdk-trace-base')).ConsoleSpanExporter();
      if (name !== 'otlp') throw new TelemetryConfigError(`OTEL_TRACES_EXPORTER=${name} is not supported: use otlp, console or none`);
      const protocol = getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? getStringFromEnv('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
      if (protocol === 'http/protobuf') return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
      if (protocol === 'http/json') return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
      throw new TelemetryConfigError(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: use http/protobuf (the collector's port 4318) or http/json`);
    }),
  );
}

/**
 * Starts tracing when configured; otherwise leaves the API's no-op tracer in place, so unconfigured tracing costs
 * nothing: the SDK is not even loaded. Only traces leave over OTLP (metrics go through prom-client on /metrics,
 * logs through pino), so this is the trace SDK alone rather than the all-signals NodeSDK. The sampler and batch
 * settings come from OTEL_TRACES_SAMPLER and OTEL_BSP_*, the resource from OTEL_SERVICE_NAME and
 * OTEL_RESOURCE_ATTRIBUTES. The Postgres, Redis and HTTP clients are instrumented, inside a turn only, so a turn's
 * trace shows its store and LLM calls without background probes flooding the backend. Resolves to whether it started.
 */
export async function startTelemetry(): Promise<boolean> {
  if (startRequested || !tracingConfigured()) return false;
  startRequested = true;
  const [trace, base, { AsyncLocalStorageContextManager }, resources, semconv, clients, exporters] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
    import('./client-instrumentation.ts'),
    exportersFromEnv(),
  ]);
  const detected = resources.detectResources({ detectors: [resources.envDetector, resources.processDetector, resources.hostDetector] });
  provider = new trace.NodeTracerProvider({
    // OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES (the env detector) win over the default name.
    resource: resources
      .defaultResource()
      .merge(resources.resourceFromAttributes({ [semconv.ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME }))
      .merge(detected),
    spanProcessors: exporters.map((exporter) => new base.BatchSpanProcessor(exporter)),
  });
  provider.register({ contextManager: new AsyncLocalStorageContextManager() });
  stopInstrumentations = clients.instrumentClients(provider);
  return true;
}

/**
 * Flushes the spans still batched and stops the SDK; a no-op when it never started. The server calls it after
 * draining its sessions, so the spans of the last turns leave too. Rejects with the signal's reason if it aborts first.
 */
export async function shutdownTelemetry(signal?: AbortSignal): Promise<void> {
  const running = provider;
  provider = undefined;
  if (running === undefined) return;
  stopInstrumentations?.();
  stopInstrumentations = undefined;
  signal?.throwIfAborted();
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    running
      .shutdown()
      .then(resolve, reject)
      .finally(() => signal?.removeEventListener('abort', onAbort));
  });
}

/** For exits the program does not manage itself; errors go to the OpenTelemetry diagnostic logger. */
export function shutdownTelemetryQuietly(signal?: AbortSignal): Promise<void> {
  return shutdownTelemetry(signal).catch((err: unknown) => diag.error('telemetry shutdown failed', err));
}
