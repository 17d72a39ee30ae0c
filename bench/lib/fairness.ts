import { setTimeout as sleep } from 'node:timers/promises';
import type { Wav } from '../../test/support/wav.ts';
import { runPhase, type PhaseResult, type Workload } from './phase.ts';
import { summarize, type Summary } from './stats.ts';

/** The file transcribed beside the live sessions: the utterance repeated to a minute. */
export const FILE_SECONDS = 60;
/** Speech requests run one after another, this often at most. */
const SPEECH_EVERY_MS = 250;
const SPEECH_TEXT = 'Your order shipped this morning. It should arrive on Thursday before noon.';

export interface BatchLoad {
  transcriptions: { completed: number; failed: number; ms: Summary };
  speech: { completed: number; failed: number; ms: Summary };
}

export interface FairnessResult {
  alone: PhaseResult;
  withBatch: PhaseResult;
  batch: BatchLoad;
}

/** A mono PCM16 WAV file of `wav` repeated to `seconds`. */
export function repeatedWav(wav: Wav, seconds: number): Buffer {
  const mono = wav.channels === 1 ? wav.samples : wav.samples.filter((_, i) => i % wav.channels === 0);
  const samples = new Int16Array(Math.round(seconds * wav.sampleRateHz));
  for (let offset = 0; offset < samples.length; offset += mono.length) samples.set(mono.subarray(0, samples.length - offset), offset);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + samples.length * 2, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(wav.sampleRateHz, 24);
  header.writeUInt32LE(wav.sampleRateHz * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(samples.length * 2, 40);
  return Buffer.concat([header, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength)]);
}

async function loop(signal: AbortSignal, pauseMs: number, request: () => Promise<Response>): Promise<{ completed: number; failed: number; ms: Summary }> {
  const times: number[] = [];
  let failed = 0;
  while (!signal.aborted) {
    const started = performance.now();
    try {
      const response = await request();
      await response.arrayBuffer();
      if (response.ok) times.push(performance.now() - started);
      else failed++;
    } catch {
      if (!signal.aborted) failed++;
    }
    await sleep(Math.max(0, pauseMs - (performance.now() - started)), undefined, { signal }).catch(() => undefined);
  }
  return { completed: times.length, failed, ms: summarize(times) };
}

/**
 * Live voice-to-voice alone, then with batch work beside it: a 60 s file transcribed again and again through
 * `POST /v1/audio/transcriptions` and a stream of `POST /v1/audio/speech` requests, for the whole phase.
 */
export async function measureFairness(work: Workload, utteranceWav: Wav, sessions: number, turns: number, signal: AbortSignal): Promise<FairnessResult> {
  const httpUrl = work.gateway.wsUrl.replace(/^ws/, 'http').replace(/\/ws\/s2s$/, '');
  const file = new Blob([new Uint8Array(repeatedWav(utteranceWav, FILE_SECONDS))], { type: 'audio/wav' });
  const alone = await runPhase('voice', sessions, turns, work, signal);
  const batchStop = new AbortController();
  const batchSignal = AbortSignal.any([signal, batchStop.signal]);
  const transcriptions = loop(batchSignal, 0, () => {
    const form = new FormData();
    form.append('file', file, 'minute.wav');
    form.append('model', 'whisper-1');
    return fetch(`${httpUrl}/v1/audio/transcriptions`, { method: 'POST', body: form, signal: batchSignal });
  });
  const speech = loop(batchSignal, SPEECH_EVERY_MS, () =>
    fetch(`${httpUrl}/v1/audio/speech`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tts-1', input: SPEECH_TEXT, voice: 'alloy', response_format: 'pcm' }),
      signal: batchSignal,
    }),
  );
  // Let the batch work reach the engines before the first live turn.
  await sleep(1_000);
  const withBatch = await runPhase('voice', sessions, turns, work, signal);
  batchStop.abort();
  return { alone, withBatch, batch: { transcriptions: await transcriptions, speech: await speech } };
}
