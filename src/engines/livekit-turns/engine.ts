import { basename } from 'node:path';
import { z } from 'zod';
import type { LoadedEngine } from '../../contracts/engine.ts';
import type { TurnDetector } from '../../contracts/turns.ts';
import { num } from '../../config/leaves.ts';
import { LANGUAGES_SUFFIX, LiveKitTurnDetector, TOKENIZER_SUFFIX } from './livekit-turn-detector.ts';

/** What must sit beside a model given by path: `<model>.onnx.tokenizer.json` and `<model>.onnx.languages.json`. */
export const TURN_DETECTOR_COMPANIONS = [TOKENIZER_SUFFIX, LANGUAGES_SUFFIX] as const;

const config = z.strictObject({
  engine: z.literal('livekit'),
  /** A catalog name or a path to the model's `.onnx` (its tokenizer and languages.json beside it). */
  model: z.string().min(1).default('livekit-turn-detector-multilingual'),
  /** The end-of-utterance probability that counts as done, for every language; absent: LiveKit's per language. */
  threshold: num(0.0001, 0.9999).optional(),
});

/** LiveKit's open end-of-utterance model in a worker thread, fetched from the catalog like the other models. */
export const livekitTurns: LoadedEngine<typeof config, TurnDetector> = {
  id: 'livekit',
  config,
  models: (c) => [{ key: ['model'], value: c.model, kind: 'turns', companions: TURN_DETECTOR_COMPANIONS }],
  describe: (c, files) => `livekit ${basename(files[c.model] ?? c.model)}`,
  load: (c, files, { signal }) => LiveKitTurnDetector.load(files[c.model] ?? c.model, { threshold: c.threshold, signal }),
};
