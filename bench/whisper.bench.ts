/**
 * Whisper transcription cost on this machine, through the engine's own pool.
 *
 *   npx node bench/whisper.bench.ts [--model PATH] [--threads 1,2] [--native-bench]
 *
 * Default model: the tiny.en fixture with no weights (the real tiny.en graph; the decoder runs to its limit, so
 * this is an upper bound for tiny, not what real weights cost). Also times the generated test model, and the
 * cancellation path: how soon an aborted request settles and how long its context stays draining.
 * `--native-bench` adds whisper.cpp's own bench (encoder time alone; slow on the empty model).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { WhisperPool } from '../src/engines/whisper/whisper-pool.ts';
import { initWhisper } from '../src/engines/whisper/whisper-binding.ts';
import {
  EMPTY_TINY_EN_MODEL,
  JFK_WAV,
  ORDER_STATUS_WAV,
  readPcm16Mono16k,
  writeTinyWhisperModel,
} from '../test/support/whisper-model.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: EMPTY_TINY_EN_MODEL },
    threads: { type: 'string', default: '1,2' },
    'native-bench': { type: 'boolean', default: false },
  },
});
const threadCounts = values.threads.split(',').map(Number);
const clips = { 'jfk.wav (11.0 s)': JFK_WAV, 'order-status-en-16k.wav (2.8 s)': ORDER_STATUS_WAV };
const live = (): AbortSignal => new AbortController().signal;
const report = (line: string): void => void process.stdout.write(`${line}\n`);

async function loadPool(modelPath: string, threads: number): Promise<{ pool: WhisperPool; loadMs: number }> {
  const started = performance.now();
  const pool = await WhisperPool.load({ modelPath, poolSize: 1, threads, variant: 'default', useGpu: false, maxQueue: 1 });
  return { pool, loadMs: performance.now() - started };
}

async function transcribeClips(label: string, modelPath: string): Promise<void> {
  for (const threads of threadCounts) {
    const { pool, loadMs } = await loadPool(modelPath, threads);
    report(`${label}  threads=${threads}  load ${loadMs.toFixed(0)} ms`);
    for (const [name, path] of Object.entries(clips)) {
      const audio = await readPcm16Mono16k(path);
      const cpuBefore = process.cpuUsage();
      const transcript = await pool.transcribe(audio, { language: 'en', signal: live() });
      const cpuMs = process.cpuUsage(cpuBefore).user / 1000;
      report(
        `  ${name}: ${transcript.engineMs.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU, text ${JSON.stringify(transcript.text)}`,
      );
    }
    await pool.close();
  }
}

async function cancellation(modelPath: string): Promise<void> {
  const { pool } = await loadPool(modelPath, 1);
  const controller = new AbortController();
  const request = pool.transcribe(await readPcm16Mono16k(JFK_WAV), { language: 'en', signal: controller.signal });
  await sleep(500);
  const abortedAt = performance.now();
  controller.abort();
  await request.catch(() => undefined);
  const settledMs = performance.now() - abortedAt;
  while (pool.stats().draining > 0) await sleep(10);
  const drainedMs = performance.now() - abortedAt;
  report(`cancel after 500 ms: request settled in ${settledMs.toFixed(2)} ms; context drained after ${drainedMs.toFixed(0)} ms`);
  await pool.close();
}

async function nativeBench(modelPath: string): Promise<void> {
  const context = await initWhisper({ filePath: modelPath, useGpu: false }, 'default');
  for (const threads of threadCounts) {
    const result = await context.bench(threads);
    report(`whisper.cpp bench threads=${threads}: encode ${result.encodeMs} ms, decode ${result.decodeMs} ms, ` +
      `batch ${result.batchdMs} ms, prompt ${result.promptMs} ms`);
  }
  await context.release();
}

const dir = await mkdtemp(join(tmpdir(), 'whisper-bench-'));
try {
  const tinyModel = await writeTinyWhisperModel({ dir, phrase: ' Hello.' });
  await transcribeClips(`model ${values.model}`, values.model);
  await transcribeClips('generated test model', tinyModel);
  await cancellation(values.model);
  if (values['native-bench']) await nativeBench(values.model);
} finally {
  await rm(dir, { recursive: true, force: true });
}
