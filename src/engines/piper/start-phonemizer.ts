import { GatewayError, isAbortError } from '../../core/errors.ts';
import type { ClausePhonemizer } from './clause-phonemizer.ts';
import { EspeakCliPhonemizer } from './espeak-cli-phonemizer.ts';
import { PhonemizerWorkerPool } from './phonemizer-pool.ts';

/**
 * The `phonemizer` package in worker threads when it has the voice's language (it bundles English only),
 * otherwise the system's `espeak-ng`; a language neither has fails with `model_not_ready` naming both reasons.
 */
export async function startClausePhonemizer(
  language: string,
  workers: number,
  signal?: AbortSignal,
): Promise<ClausePhonemizer> {
  let wasmFailure: unknown;
  try {
    return await PhonemizerWorkerPool.start(language, workers, signal);
  } catch (err) {
    if (isAbortError(err)) throw err;
    wasmFailure = err;
  }
  try {
    return await EspeakCliPhonemizer.start(language, workers, signal);
  } catch (err) {
    if (isAbortError(err)) throw err;
    throw new GatewayError(
      'model_not_ready',
      `espeak voice "${language}" is not available: phonemizer package: ${reason(wasmFailure)}; espeak-ng: ${reason(err)}`,
      { cause: err },
    );
  }
}

function reason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message;
}
