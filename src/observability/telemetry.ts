import { diag } from '@opentelemetry/api';
import { getBooleanFromEnv, getStringFromEnv, getStringListFromEnv } from '@opentelemetry/core';
import type { NodeSDK } from '@opentelemetry/sdk-node';

/** service.name unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise. */
const DEFAULT_SERVICE_NAME = 's2s-gateway';

let sdk: NodeSDK | undefined;
/** Set before the SDK loads, so a second call cannot start a second SDK meanwhile. */
let startRequested = false;

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
 * Starts the OpenTelemetry SDK for traces when configured; otherwise leaves the API's no-op tracer in place, so
 * unconfigured tracing costs nothing: the SDK is not even loaded (it weighs about 60 MB and half a second).
 * The SDK reads the exporter, protocol (http/protobuf by default, http/json, grpc), headers, sampler and batch
 * settings from OTEL_* itself. Resolves to whether it started.
 */
export async function startTelemetry(): Promise<boolean> {
  if (startRequested || !tracingConfigured()) return false;
  startRequested = true;
  const [{ NodeSDK }, { AsyncLocalStorageContextManager }, { defaultResource, resourceFromAttributes }, semconv] =
    await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/semantic-conventions'),
    ]);
  sdk = new NodeSDK({
    // The SDK's env detector merges OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES over this.
    resource: defaultResource().merge(resourceFromAttributes({ [semconv.ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME })),
    contextManager: new AsyncLocalStorageContextManager(),
    // Metrics leave through prom-client on /metrics and logs through pino: OTLP carries traces only.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return true;
}

/**
 * Flushes the spans still batched and stops the SDK; a no-op when it never started. The server calls it after
 * draining its sessions, so the spans of the last turns leave too. Rejects with the signal's reason if it aborts first.
 */
export async function shutdownTelemetry(signal?: AbortSignal): Promise<void> {
  const running = sdk;
  sdk = undefined;
  if (running === undefined) return;
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
