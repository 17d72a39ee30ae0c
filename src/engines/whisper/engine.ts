import { z } from 'zod';
import type { Transcriber } from '../../contracts/asr.ts';
import type { LoadedEngine } from '../../contracts/engine.ts';
import { bool, int } from '../../config/leaves.ts';
import { setNativeLogSink } from './whisper-binding.ts';
import { WhisperPool } from './whisper-pool.ts';

const config = z.strictObject({
  engine: z.literal('whisper'),
  /** A catalog name (see `npm run models -- list`) or a path to a ggml model file. */
  model: z.string().min(1).default('base'),
  /** The whisper.cpp build: prebuilt CPU, Vulkan or CUDA, or HIP (ROCm) as built by docker/Dockerfile.rocm. */
  variant: z.enum(['default', 'vulkan', 'cuda', 'hip']).default('default'),
  useGpu: bool.default(false),
  poolSize: int(1, 64).default(1),
  threads: int(1, 256).default(2),
  partialIntervalMs: int(100, 10_000).default(500),
  // Whisper hears 30 s at a time; the engine keeps the last 30 s of anything longer.
  maxUtteranceMs: int(1_000, 30_000).default(30_000),
  /** Queued final transcriptions beyond the pool; past it a request fails with `asr_busy`. */
  maxQueue: int(0, 10_000).default(64),
});

/** whisper.cpp through `@fugood/whisper.node`: a pool of contexts of one model. */
export const whisper: LoadedEngine<typeof config, Transcriber> = {
  id: 'whisper',
  config,
  models: (c) => [{ key: ['model'], value: c.model, kind: 'asr' }],
  describe: (c, files) => files[c.model] ?? c.model,
  load: async (c, files, { signal, log }) => {
    const modelPath = files[c.model];
    if (modelPath === undefined) throw new Error(`no file for speech recognition model ${c.model}`);
    setNativeLogSink((level, text) => log.debug({ nativeLevel: level, text: text.trimEnd() }, 'whisper.cpp'));
    return WhisperPool.load({ ...c, modelPath, signal });
  },
};
