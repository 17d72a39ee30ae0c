/**
 * Silero VAD cost, as the gateway feels it: `npx node bench/vad.bench.ts [streams] [seconds]` (defaults 50, 10).
 *
 * - latency: one stream, frame after frame: what each `process` call takes (the worker hop included), against the
 *   model run alone on this thread, which is the latency the hop adds to end-of-speech detection.
 * - throughput: frames per second when 1 stream, then `streams` streams, push frames as fast as they can
 *   (1 stream cannot batch; many can).
 * - realtime: `streams` streams each sending a 32 ms frame every 32 ms (staggered, as live sessions do) for
 *   `seconds`: main-thread event-loop utilisation and delay, and how long a frame waits for its probability.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { FIXTURES_DIR, readWav } from '../test/support/wav.ts';
import {
  defaultSileroModelPath,
  SILERO_FRAME_MS,
  SILERO_FRAME_SAMPLES,
  SileroVad,
  type SileroStream,
} from '../src/engines/silero/silero-vad.ts';

const { samples } = readWav(`${FIXTURES_DIR}jfk.wav`);
const FRAMES: Float32Array[] = [];
for (let i = 0; i + SILERO_FRAME_SAMPLES <= samples.length; i += SILERO_FRAME_SAMPLES) {
  FRAMES.push(Float32Array.from(samples.subarray(i, i + SILERO_FRAME_SAMPLES), (v) => v / 32_768));
}
const frameAt = (i: number) => FRAMES[i % FRAMES.length]!;

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const round = (value: number, digits = 3) => Number(value.toFixed(digits));

/** The model run alone on this thread, batch of 1: what a frame costs without any hop. */
async function directRunMs(frameCount: number): Promise<number[]> {
  const session = await InferenceSession.create(defaultSileroModelPath(), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    logSeverityLevel: 3,
  });
  const sr = new Tensor('int64', BigInt64Array.of(16_000n), []);
  const input = new Float32Array(576);
  let state: Float32Array = new Float32Array(256);
  const times: number[] = [];
  for (let i = 0; i < frameCount; i++) {
    input.set(frameAt(i), 64);
    const start = performance.now();
    const result = await session.run({
      input: new Tensor('float32', input.slice(), [1, 576]),
      state: new Tensor('float32', state, [2, 1, 128]),
      sr,
    });
    times.push(performance.now() - start);
    state = result.stateN!.data as Float32Array;
  }
  await session.release();
  return times.slice(FRAMES.length);
}

async function latency(vad: SileroVad, frameCount: number) {
  const stream = vad.createStream();
  const times: number[] = [];
  for (let i = 0; i < frameCount; i++) {
    const start = performance.now();
    await stream.process(frameAt(i));
    times.push(performance.now() - start);
  }
  // The first pass over the file warms onnxruntime up and is not counted.
  const counted = times.slice(FRAMES.length);
  const direct = await directRunMs(frameCount);
  return {
    processP50Ms: round(quantile(counted, 0.5)),
    processP95Ms: round(quantile(counted, 0.95)),
    processMeanMs: round(mean(counted)),
    directRunP50Ms: round(quantile(direct, 0.5)),
    directRunMeanMs: round(mean(direct)),
    addedP50Ms: round(quantile(counted, 0.5) - quantile(direct, 0.5)),
  };
}

async function throughput(vad: SileroVad, streamCount: number, durationMs: number) {
  const streams = Array.from({ length: streamCount }, () => vad.createStream());
  const deadline = performance.now() + durationMs;
  let frames = 0;
  const pump = async (stream: SileroStream, offset: number) => {
    for (let i = offset; performance.now() < deadline; i++) {
      await stream.process(frameAt(i));
      frames += 1;
    }
  };
  const start = performance.now();
  await Promise.all(streams.map((stream, i) => pump(stream, i * 7)));
  return Math.round((frames * 1000) / (performance.now() - start));
}

async function realtime(vad: SileroVad, streamCount: number, durationMs: number) {
  const streams = Array.from({ length: streamCount }, () => vad.createStream());
  const waits: number[] = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const runStream = async (stream: SileroStream, index: number) => {
    await sleep((index * SILERO_FRAME_MS) / streamCount);
    const start = performance.now();
    for (let i = 0; ; i++) {
      const due = start + i * SILERO_FRAME_MS;
      if (due > start + durationMs) return;
      const ahead = due - performance.now();
      if (ahead > 0) await sleep(ahead);
      const sent = performance.now();
      await stream.process(frameAt(index * 13 + i));
      waits.push(performance.now() - sent);
    }
  };
  const statsBefore = vad.stats();
  delay.enable();
  const elu = performance.eventLoopUtilization();
  const started = performance.now();
  await Promise.all(streams.map((stream, i) => runStream(stream, i)));
  const wallMs = performance.now() - started;
  const used = performance.eventLoopUtilization(elu);
  delay.disable();
  const statsAfter = vad.stats();
  const audioSeconds = (waits.length * SILERO_FRAME_MS) / 1000;
  return {
    streams: streamCount,
    frames: waits.length,
    mainThreadElu: round(used.utilization),
    /** Main-thread busy time for one second of one session's audio (VAD plus this driver's timers). */
    mainThreadMsPerAudioSecond: round(used.active / audioSeconds, 4),
    loopDelayP50Ms: round(delay.percentile(50) / 1e6, 2),
    loopDelayP99Ms: round(delay.percentile(99) / 1e6, 2),
    frameWaitP50Ms: round(quantile(waits, 0.5)),
    frameWaitP99Ms: round(quantile(waits, 0.99)),
    meanBatch: round((statsAfter.frames - statsBefore.frames) / Math.max(1, statsAfter.runs - statsBefore.runs), 2),
    wallMs: Math.round(wallMs),
  };
}

if (import.meta.main) {
  const streamCount = Number(process.argv[2] ?? 50);
  const seconds = Number(process.argv[3] ?? 10);
  const vad = await SileroVad.load();
  const result = {
    bench: 'vad',
    latency: await latency(vad, FRAMES.length * 3),
    framesPerS: {
      oneStream: await throughput(vad, 1, 3000),
      [`${streamCount}Streams`]: await throughput(vad, streamCount, 3000),
    },
    realtime: await realtime(vad, streamCount, seconds * 1000),
  };
  await vad.close();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
