/**
 * The Kokoro engine's own cost, as the gateway feels it: `node bench/kokoro.bench.ts [sentences]` (default 50).
 * Runs the real engine (espeak-ng phonemes in a worker, onnxruntime in a worker) on the generated test model, whose
 * compute is negligible, so the figures are what the engine adds around the real model: the load (espeak voices
 * warmed, model run once), time to first audio of a sentence (phonemise hop + inference hop), and the main thread's
 * event-loop delay meanwhile. No real Kokoro weights here: the model's own compute is the user's machine's figure.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pino from 'pino';
import { kokoro } from '../src/engines/kokoro/engine.ts';
import { writeTestKokoro } from '../test/support/kokoro-model.ts';

const sentences = Number(process.argv[2] ?? 50);
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? Number.NaN;
const round = (value: number) => Number(value.toFixed(1));

const { modelPath, voicePackPath } = await writeTestKokoro(mkdtempSync(join(tmpdir(), 's2s-kokoro-bench-')));
const config = kokoro.config.parse({ engine: 'kokoro', model: modelPath, voicePack: voicePackPath });
const specs = kokoro.voices(config, { [modelPath]: modelPath, [voicePackPath]: voicePackPath });
const context = { signal: new AbortController().signal, log: pino({ level: 'silent' }) };

const loadStart = performance.now();
const voices = await Promise.all(specs.map((spec) => spec.load(context)));
const loadMs = performance.now() - loadStart;

const voice = voices[0];
if (voice === undefined) throw new Error('no voice');
const firstAudioMs: number[] = [];
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
for (let i = 0; i < sentences; i++) {
  const start = performance.now();
  for await (const _audio of voice.synthesize(`This is sentence number ${i + 1}, spoken to measure the first audio.`, { signal: new AbortController().signal })) {
    firstAudioMs.push(performance.now() - start);
  }
}
loop.disable();
await Promise.all(voices.map((v) => v.close()));

process.stdout.write(
  `${JSON.stringify(
    {
      voices: voices.length,
      loadMs: round(loadMs),
      sentences,
      firstAudioMs: { p50: round(quantile(firstAudioMs, 0.5)), p95: round(quantile(firstAudioMs, 0.95)) },
      eventLoopDelayMs: { p99: round(loop.percentile(99) / 1e6), max: round(loop.max / 1e6) },
    },
    null,
    2,
  )}\n`,
);
