/**
 * Cost of turning client audio into 16 kHz mono, per second of 48 kHz stereo audio:
 * `npx node bench/resample.bench.ts [seconds]` (best of 3 runs). Runs the whole audio input (PCM16 decode, down-mix, resample,
 * back to PCM16) in 20 ms messages, once per libsamplerate converter, so the choice of default can be checked.
 */
import { performance } from 'node:perf_hooks';
import libsamplerate from '@alexanderolsen/libsamplerate-js';
import { createAudioInput } from '../src/audio/audio-input.ts';
import { Pcm16MonoDecoder } from '../src/audio/pcm16-mono-decoder.ts';
import { StreamingResampler } from '../src/audio/streaming-resampler.ts';
import type { ConverterTypeValue } from '@alexanderolsen/libsamplerate-js/dist/converter-type.d.ts';
import { toPcm16Bytes } from '../test/support/wav.ts';

const INPUT_RATE_HZ = 48_000;
const MESSAGE_BYTES = (INPUT_RATE_HZ / 50) * 2 * 2;

export interface ResampleBenchResult {
  converter: string;
  msPerAudioSecond: number;
}

function testSignal(seconds: number): Uint8Array {
  const samples = Int16Array.from({ length: INPUT_RATE_HZ * seconds * 2 }, (_, i) =>
    Math.round(8_000 * Math.sin(i * 0.031) + 3_000 * Math.sin(i * 0.41 + (i % 2))),
  );
  return toPcm16Bytes(samples);
}

async function timeConverter(bytes: Uint8Array, seconds: number, converter: ConverterTypeValue): Promise<number> {
  const decoder = new Pcm16MonoDecoder(2);
  const resampler = await StreamingResampler.create(INPUT_RATE_HZ, 16_000, converter);
  const start = performance.now();
  for (let offset = 0; offset < bytes.length; offset += MESSAGE_BYTES) {
    const mono = decoder.push(bytes.subarray(offset, offset + MESSAGE_BYTES));
    for (let i = 0; i < mono.length; i++) mono[i] = mono[i]! / 32_768;
    resampler.process(mono);
  }
  const elapsed = performance.now() - start;
  resampler.close();
  return elapsed / seconds;
}

async function timeAudioInput(bytes: Uint8Array, seconds: number): Promise<number> {
  const input = await createAudioInput({ sampleRateHz: INPUT_RATE_HZ, channels: 2, encoding: 'pcm16' });
  const start = performance.now();
  for (let offset = 0; offset < bytes.length; offset += MESSAGE_BYTES) input.push(bytes.subarray(offset, offset + MESSAGE_BYTES));
  const elapsed = performance.now() - start;
  input.close();
  return elapsed / seconds;
}

/** Best of `repeats`: the build machines are shared, and the minimum is the least disturbed run. */
async function best(repeats: number, run: () => Promise<number>): Promise<number> {
  let fastest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) fastest = Math.min(fastest, await run());
  return fastest;
}

export async function benchResample(seconds = 20, repeats = 3): Promise<ResampleBenchResult[]> {
  const bytes = testSignal(seconds);
  const results: ResampleBenchResult[] = [];
  for (const [name, value] of Object.entries(libsamplerate.ConverterType)) {
    if (name === 'SRC_ZERO_ORDER_HOLD' || name === 'SRC_LINEAR') continue;
    results.push({ converter: name, msPerAudioSecond: await best(repeats, () => timeConverter(bytes, seconds, value)) });
  }
  // The real path, with the default converter and the conversions to and from PCM16.
  results.push({ converter: 'createAudioInput (default)', msPerAudioSecond: await best(repeats, () => timeAudioInput(bytes, seconds)) });
  return results;
}

if (import.meta.main) {
  for (const result of await benchResample(Number(process.argv[2] ?? 20))) {
    process.stdout.write(`${JSON.stringify({ bench: 'resample', ...result })}\n`);
  }
}
