/**
 * Test worker: the real src/engines/silero/vad-worker.ts, except that a batch holding a frame that starts with NaN
 * throws outside any handler, which kills the thread as a crash would.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ThreadRequest } from '../../src/engines/worker-threads/worker-thread.ts';
import { SILERO_CONTEXT_SAMPLES, SILERO_INPUT_SAMPLES } from '../../src/engines/silero/silero-model.ts';
import type { VadRequest, VadWorkerData } from '../../src/engines/silero/vad-worker.ts';

const input = new Float32Array((workerData as VadWorkerData).input);
// Registered before vad-worker.ts registers its own listener, so it sees each batch first.
parentPort?.on('message', ({ request }: ThreadRequest<VadRequest>) => {
  if (request.kind !== 'run') return;
  for (let row = 0; row < request.batch; row++) {
    if (Number.isNaN(input[row * SILERO_INPUT_SAMPLES + SILERO_CONTEXT_SAMPLES])) throw new Error('crash on NaN');
  }
});
await import('../../src/engines/silero/vad-worker.ts');
