import { z } from 'zod';
import type { LoadedEngine } from '../../contracts/engine.ts';
import type { TurnDetector } from '../../contracts/turns.ts';
import { completeness } from '../../stages/turns/completeness.ts';

const config = z.strictObject({ engine: z.literal('rules') });

/** The text rules of src/stages/turns/completeness.ts: English and Chinese, no model, no cost. */
export const rulesTurnDetector: TurnDetector = {
  assess: (transcript) => Promise.resolve(completeness(transcript)),
  close: () => Promise.resolve(),
};

export const turnRules: LoadedEngine<typeof config, TurnDetector> = {
  id: 'rules',
  config,
  models: () => [],
  describe: () => 'text rules (English, Chinese)',
  load: () => Promise.resolve(rulesTurnDetector),
};
