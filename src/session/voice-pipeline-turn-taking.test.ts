import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Transcriber } from '../contracts/asr.ts';
import type { VadModel, VadStream } from '../contracts/vad.ts';
import { GatewayMetrics } from '../observability/metrics.ts';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { toPcm16Bytes } from '../../test/support/wav.ts';
import type { SessionEvent } from './events.ts';
import { SessionTelemetry } from './telemetry.ts';
import { createVoicePipeline, type VoicePipelineSettings } from './voice-pipeline.ts';
import type { NextTurn } from './voice-input.ts';

/** A VAD that hears speech in any frame louder than a whisper: the pipeline's logic, not a model, is under test. */
const loudnessVad: VadModel = {
  createStream: (): VadStream => ({
    frameSamples: 512,
    sampleRateHz: 16_000,
    process: async (frame) => (frame.some((s) => Math.abs(s) > 0.01) ? 0.9 : 0.05),
    reset: () => undefined,
  }),
  close: async () => undefined,
};

const transcriber: Transcriber & { calls: number } = {
  calls: 0,
  async transcribe(audio16k) {
    this.calls += 1;
    return { text: `heard ${audio16k.length} samples`, engineMs: 1 };
  },
  transcribePartial: async () => undefined,
  close: async () => undefined,
};

const settings: VoicePipelineSettings = {
  endpointer: { threshold: 0.5, minSpeechMs: 96, minSilenceMs: 200, prefixPaddingMs: 64, maxUtteranceMs: 30_000 },
  bargeInMinSpeechMs: 300,
  partialIntervalMs: 500,
  maxBufferedAudioMs: 5_000,
};

async function pipeline(speaking: () => boolean) {
  const events: SessionEvent[] = [];
  const turns: NextTurn[] = [];
  let bargeIns = 0;
  const input = await createVoicePipeline(
    { encoding: 'pcm16', sampleRateHz: 16_000, channels: 1 },
    { id: 'session-1', lang: 'en' },
    { emit: (e) => events.push(e), speaking, bargeIn: () => (bargeIns += 1), utterance: (t) => void turns.push(t), error: (e) => assert.fail(e) },
    { settings, vad: () => loudnessVad, transcriber: () => transcriber, telemetry: new SessionTelemetry(GatewayMetrics.create(), { traceContent: false, parent: ROOT_CONTEXT }) },
  );
  return { input, events, turns, bargeIns: () => bargeIns };
}

const tone = (ms: number) => Int16Array.from({ length: ms * 16 }, (_, i) => Math.round(8_000 * Math.sin(i / 5)));
const silence = (ms: number) => new Int16Array(ms * 16);
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

async function feed(input: { push(b: Uint8Array): void }, samples: Int16Array): Promise<void> {
  for (let i = 0; i < samples.length; i += 320) input.push(toPcm16Bytes(samples.subarray(i, i + 320)));
  await settle();
}

test('speech then silence: speech_started, speech_stopped, the final transcript, then a voice turn with its VAD and ASR times', async () => {
  const { input, events, turns } = await pipeline(() => false);
  await feed(input, silence(200));
  await feed(input, tone(600));
  await feed(input, silence(400));
  assert.deepEqual(events.map((e) => e.type), ['speech_started', 'speech_stopped', 'transcript_final']);
  const turn = turns[0];
  assert.ok(turn);
  assert.equal(turn.source, 'voice');
  assert.equal(turn.id, (events[2] as Extract<SessionEvent, { type: 'transcript_final' }>).turnId);
  assert.equal(typeof turn.timings?.vadEndpointMs, 'number');
  assert.equal(typeof turn.timings?.asrMs, 'number');
  input.close();
});

test('barge-in: speech lasting bargeInMinSpeechMs while the assistant speaks interrupts it once; a shorter burst does not', async () => {
  const short = await pipeline(() => true);
  await feed(short.input, tone(200));
  await feed(short.input, silence(400));
  assert.equal(short.bargeIns(), 0);
  short.input.close();

  const long = await pipeline(() => true);
  await feed(long.input, tone(250));
  assert.equal(long.bargeIns(), 0, 'not before 300 ms of speech');
  await feed(long.input, tone(500));
  assert.equal(long.bargeIns(), 1);
  long.input.close();
});

test('push-to-talk with nothing said: audio end answers with an empty final transcript and starts no turn', async () => {
  const { input, events, turns } = await pipeline(() => false);
  await feed(input, silence(300));
  input.end();
  await settle();
  assert.deepEqual(events.map((e) => e.type), ['transcript_final']);
  assert.equal((events[0] as Extract<SessionEvent, { type: 'transcript_final' }>).text, '');
  assert.equal(turns.length, 0);
  input.close();
});
