import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { AssessOptions, Completeness, TurnDetector } from '../../contracts/turns.ts';
import { GatewayError, isAbortError } from '../../core/errors.ts';
import { type PoolFailure, WorkerPool } from '../../core/worker-pool.ts';
import { completeness } from '../../stages/turns/completeness.ts';
import { WorkerThread } from '../worker-threads/worker-thread.ts';
import { chatText } from './chat-text.ts';
import type { TurnDetectorRequest, TurnDetectorWorkerData } from './turn-detector-worker.ts';

const WORKER_URL = new URL('./turn-detector-worker.ts', import.meta.url);

/** The files beside the model (`<model>.onnx<suffix>`): the tokenizer, and the per-language thresholds. */
export const TOKENIZER_SUFFIX = '.tokenizer.json';
export const LANGUAGES_SUFFIX = '.languages.json';

/**
 * A prediction is about 25 ms and only the newest transcript of an utterance matters, so a short queue is plenty;
 * past it a transcript is judged by the text rules instead of waiting behind other sessions.
 */
const MAX_QUEUED = 16;

/** languages.json: for each language the model speaks, the probability below which the user is unlikely done. */
const languagesSchema = z.record(z.string(), z.looseObject({ threshold: z.number().gt(0).lt(1) }));

export interface LiveKitTurnDetectorOptions {
  /** Replaces every language's threshold from languages.json. */
  threshold?: number | undefined;
  signal: AbortSignal;
}

function poolError(failure: PoolFailure, cause?: unknown): Error {
  if (failure === 'closed') return new DOMException('the turn detector was closed', 'AbortError');
  return new GatewayError('internal', `the turn detector ${failure === 'full' ? 'has too many transcripts waiting' : failure}`, { cause });
}

/**
 * LiveKit's end-of-utterance model (livekit/turn-detector, multilingual): the probability that the user is done,
 * read from the transcript, against the threshold LiveKit tuned for the language. At or above it the utterance is
 * complete; below it, hesitant. A language the model was not tuned for is judged by the text rules.
 */
export class LiveKitTurnDetector implements TurnDetector {
  readonly #pool: WorkerPool<TurnDetectorRequest, number | undefined>;
  readonly #thresholds: ReadonlyMap<string, number>;
  readonly #threshold: number | undefined;

  private constructor(pool: WorkerPool<TurnDetectorRequest, number | undefined>, thresholds: ReadonlyMap<string, number>, threshold: number | undefined) {
    this.#pool = pool;
    this.#thresholds = thresholds;
    this.#threshold = threshold;
  }

  /** Rejects with `model_not_ready` naming the file that is missing or wrong, or with the abort. */
  static async load(modelPath: string, options: LiveKitTurnDetectorOptions): Promise<LiveKitTurnDetector> {
    const thresholds = await readThresholds(`${modelPath}${LANGUAGES_SUFFIX}`);
    const workerData: TurnDetectorWorkerData = { modelPath, tokenizerPath: `${modelPath}${TOKENIZER_SUFFIX}` };
    const thread = WorkerThread.start<TurnDetectorRequest, number | undefined>({ workerUrl: WORKER_URL, workerData, error: poolError });
    const pool = new WorkerPool([thread], { maxQueued: MAX_QUEUED, error: poolError });
    try {
      await pool.run({ kind: 'load' }, options.signal);
    } catch (err) {
      await pool.close();
      if (isAbortError(err)) throw err;
      const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
      throw new GatewayError('model_not_ready', `the turn detector could not load ${modelPath}: ${(cause as Error).message}`, { cause });
    }
    return new LiveKitTurnDetector(pool, thresholds, options.threshold);
  }

  async assess(transcript: string, { lang, context, signal }: AssessOptions): Promise<Completeness> {
    const threshold = this.#thresholdFor(lang);
    if (threshold === undefined) return completeness(transcript);
    const text = chatText(transcript, context);
    if (text === '') return 'open';
    const probability = await this.#pool.run({ kind: 'predict', text }, signal);
    if (probability === undefined) throw new GatewayError('internal', 'the turn detector answered a prediction with nothing');
    return probability >= threshold ? 'complete' : 'hesitant';
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  /** The full tag first, then its primary subtag, as LiveKit looks them up; undefined: a language it was not tuned for. */
  #thresholdFor(lang: string | undefined): number | undefined {
    if (lang === undefined || lang === 'auto') return undefined;
    const tag = lang.toLowerCase();
    const tuned = this.#thresholds.get(tag) ?? this.#thresholds.get(tag.split('-')[0] ?? tag);
    return tuned === undefined ? undefined : (this.#threshold ?? tuned);
  }
}

async function readThresholds(path: string): Promise<Map<string, number>> {
  let parsed: z.infer<typeof languagesSchema>;
  try {
    parsed = languagesSchema.parse(JSON.parse(await readFile(path, 'utf8')));
  } catch (err) {
    const why = err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message;
    throw new GatewayError('model_not_ready', `the turn detector's thresholds ${path} could not be read: ${why}`, { cause: err });
  }
  return new Map(Object.entries(parsed).map(([lang, { threshold }]) => [lang.toLowerCase(), threshold]));
}
