import { z } from 'zod';
import type { LoadedEngine } from '../../contracts/engine.ts';
import type { VadModel } from '../../contracts/vad.ts';
import { int, num } from '../../config/leaves.ts';
import { SileroVad } from './silero-vad.ts';

// The end-of-speech settings live here because the threshold is a Silero speech probability; the others are
// the endpointer's, read with it.
const config = z.strictObject({
  engine: z.literal('silero'),
  threshold: num(0.01, 0.99).default(0.5),
  minSpeechMs: int(0, 5_000).default(250),
  minSilenceMs: int(32, 10_000).default(500),
  prefixPaddingMs: int(0, 2_000).default(300),
  bargeInMinSpeechMs: int(0, 5_000).default(300),
});

/** Silero VAD v5 from its npm package (no file to fetch), batched in one worker for every session. */
export const silero: LoadedEngine<typeof config, VadModel> = {
  id: 'silero',
  config,
  models: () => [],
  describe: () => 'silero v5',
  load: (_c, _files, { signal }) => SileroVad.load({ signal }),
};
