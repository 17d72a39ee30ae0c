import { z } from 'zod';
import type { TtsEngine } from '../../contracts/engine.ts';
import { int, url } from '../../config/leaves.ts';
import { XttsSynthesizer } from './xtts-synthesizer.ts';
import { XTTS_SAMPLE_RATE_HZ } from './xtts-wire.ts';

const config = z.strictObject({
  engine: z.literal('xtts'),
  /** Base URL of a coqui-ai/xtts-streaming-server. */
  url,
  /** A studio speaker of the server (GET /studio_speakers); a session's `tts.speaker` picks another. */
  speaker: z.string().min(1).default('Claribel Dervla'),
  /** Spoken for sessions whose language the server lacks, and for `auto` sessions before a language is heard. */
  fallbackLanguage: z.string().min(1).default('en'),
  /** How long the server may be silent: before answering, before first audio, or between two pieces. */
  timeoutMs: int(100, 600_000).default(10_000),
});

/** One XTTS v2 server: a single voice that speaks every language the server lists. */
export const xtts: TtsEngine<typeof config> = {
  id: 'xtts',
  config,
  // The server holds its own weights: nothing to fetch.
  models: () => [],
  voices: (c) => [
    {
      name: `xtts:${c.speaker}`,
      sampleRateHz: XTTS_SAMPLE_RATE_HZ,
      languages: [],
      source: c.url,
      load: ({ signal }) => XttsSynthesizer.load({ url: c.url, speaker: c.speaker, fallbackLanguage: c.fallbackLanguage, timeoutMs: c.timeoutMs, signal }),
    },
  ],
};
