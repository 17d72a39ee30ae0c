import type { TracerProvider } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { register as registerImportHooks } from 'import-in-the-middle/register-hooks.mjs';

/**
 * The gateway imports these as ES modules, which the require hook does not see: the import hook (in-thread, Node
 * 24's module.registerHooks) intercepts only them, so nothing else pays for it.
 */
const INSTRUMENTED_PACKAGES = ['pg', 'ioredis', 'undici'];

/**
 * Spans for the clients a turn talks through: Postgres (memory, checkpoints), Redis (session state) and HTTP over
 * undici, which is also Node's fetch (the LLM, embeddings, XTTS). Each records only under a parent span, so the
 * LLM reachability probe and store health checks stay out of the trace backend. Call it before the app imports the
 * clients (the `--import` bootstrap does). Returns the undo of the patches.
 */
export function instrumentClients(tracerProvider: TracerProvider): () => void {
  registerImportHooks({ include: INSTRUMENTED_PACKAGES });
  return registerInstrumentations({
    tracerProvider,
    instrumentations: [
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
      new UndiciInstrumentation({ requireParentforSpans: true }),
    ],
  });
}
