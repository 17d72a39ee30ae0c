/**
 * Silero VAD cost per 32 ms frame on one intra-op thread: `npx node bench/vad.bench.ts [passes]`.
 * Streams jfk.wav frame by frame (as a session does) and reports p50/p95 of each `process` call.
 */
import { performance } from 'node:perf_hooks';
import { FIXTURES_DIR, readWav } from '../test/support/wav.ts';
import { SILERO_FRAME_MS, SILERO_FRAME_SAMPLES, SileroVad } from '../src/engines/silero/silero-vad.ts';

export interface VadBenchResult {
  frames: number;
  p50Ms: number;
  p95Ms: number;
  meanMs: number;
  /** Share of one core a single live stream costs. */
  coreSharePerStream: number;
}

export async function benchVad(passes = 5): Promise<VadBenchResult> {
  const vad = await SileroVad.load();
  const { samples } = readWav(`${FIXTURES_DIR}jfk.wav`);
  const frames: Float32Array[] = [];
  for (let i = 0; i + SILERO_FRAME_SAMPLES <= samples.length; i += SILERO_FRAME_SAMPLES) {
    frames.push(Float32Array.from(samples.subarray(i, i + SILERO_FRAME_SAMPLES), (v) => v / 32_768));
  }
  const times: number[] = [];
  for (let pass = 0; pass <= passes; pass++) {
    const stream = vad.createStream();
    for (const frame of frames) {
      const start = performance.now();
      await stream.process(frame);
      // The first pass warms onnxruntime up and is not counted.
      if (pass > 0) times.push(performance.now() - start);
    }
  }
  await vad.close();
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  const meanMs = times.reduce((a, b) => a + b, 0) / times.length;
  return { frames: times.length, p50Ms: at(0.5), p95Ms: at(0.95), meanMs, coreSharePerStream: meanMs / SILERO_FRAME_MS };
}

if (import.meta.main) {
  const result = await benchVad(Number(process.argv[2] ?? 5));
  process.stdout.write(`${JSON.stringify({ bench: 'vad', ...result })}\n`);
}
