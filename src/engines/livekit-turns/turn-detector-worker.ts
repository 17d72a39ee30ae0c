/**
 * Worker thread that owns LiveKit's turn-detector session and its tokenizer. onnxruntime-node runs inference
 * synchronously on the calling thread (about 25 ms for the multilingual model on a CPU core), which on the main
 * thread would stall every session's audio.
 */
import { readFile } from 'node:fs/promises';
import { workerData } from 'node:worker_threads';
import { Tokenizer } from '@huggingface/tokenizers';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { serveRequests } from '../worker-threads/serve-requests.ts';

export interface TurnDetectorWorkerData {
  modelPath: string;
  tokenizerPath: string;
}

/** `load` loads the model (the first request of a thread does); `predict` answers the end-of-utterance probability. */
export type TurnDetectorRequest = { kind: 'load' } | { kind: 'predict'; text: string };

/** LiveKit keeps the last 128 tokens of the conversation (truncation from the left): the end is what counts. */
const MAX_TOKENS = 128;

const { modelPath, tokenizerPath } = workerData as TurnDetectorWorkerData;

interface Loaded {
  session: InferenceSession;
  tokenizer: Tokenizer;
}

let loaded: Promise<Loaded> | undefined;

async function load(): Promise<Loaded> {
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(JSON.parse(await readFile(tokenizerPath, 'utf8')) as object, {});
  } catch (err) {
    throw new Error(`the turn detector's tokenizer ${tokenizerPath} could not be read: ${(err as Error).message}`, { cause: err });
  }
  const session = await InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', logSeverityLevel: 3 }).catch(
    (err: unknown) => {
      throw new Error(`the turn detector model ${modelPath} could not be loaded: ${(err as Error).message}`, { cause: err });
    },
  );
  if (!session.inputNames.includes('input_ids') || !session.outputNames.includes('prob')) {
    await session.release();
    throw new Error(`${modelPath} is not a LiveKit turn detector (it needs input "input_ids" and output "prob")`);
  }
  return { session, tokenizer };
}

serveRequests(async (request: TurnDetectorRequest) => {
  loaded ??= load();
  const { session, tokenizer } = await loaded;
  if (request.kind === 'load') return { result: undefined };
  const ids: number[] = tokenizer.encode(request.text, { add_special_tokens: false }).ids.slice(-MAX_TOKENS);
  const inputIds = new Tensor('int64', BigInt64Array.from(ids.map((id) => BigInt(id))), [1, ids.length]);
  const output = (await session.run({ input_ids: inputIds }, ['prob'])).prob?.data;
  // One probability per position; the last is that of <|im_end|> after the whole utterance.
  const probability = output instanceof Float32Array ? output[output.length - 1] : undefined;
  if (probability === undefined || !(probability >= 0 && probability <= 1)) throw new Error('the turn detector gave no probability in [0, 1]');
  return { result: probability };
});
