import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { Transcriber } from '../contracts/asr.ts';
import type { VadModel, VadStream } from '../contracts/vad.ts';
import { GatewayMetrics } from '../observability/metrics.ts';
import { toPcm16Bytes } from '../../test/support/wav.ts';
import { DEFAULT_TURN_TAKING, type SessionEvent, type TurnTaking } from './events.ts';
import { SessionTelemetry } from './telemetry.ts';
import { createVoicePipeline, type VoicePipelineSettings } from './voice-pipeline.ts';
import type { NextTurn } from './voice-input.ts';

/** Speech in any frame louder than a whisper: the pipeline's logic, not a model, is under test. */
const loudnessVad: VadModel = {
  createStream: (): VadStream => ({
    frameSamples: 512,
    sampleRateHz: 16_000,
    process: async (frame) => (frame.some((s) => Math.abs(s) > 0.01) ? 0.9 : 0.05),
    reset: () => undefined,
  }),
  close: async () => undefined,
};

/** Transcribes slowly, so a test can ask what is still in flight. */
const slowTranscriber: Transcriber = {
  async transcribe(audio16k) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    return { text: `heard ${audio16k.length} samples`, engineMs: 150 };
  },
  transcribePartial: async () => undefined,
  close: async () => undefined,
};

const settings: VoicePipelineSettings = {
  endpointer: { threshold: 0.5, minSpeechMs: 96, minSilenceMs: 200, prefixPaddingMs: 64, maxUtteranceMs: 30_000 },
  bargeInMinSpeechMs: 300,
  partialIntervalMs: 60_000,
  maxBufferedAudioMs: 5_000,
};

const tone = (ms: number) => Int16Array.from({ length: ms * 16 }, (_, i) => Math.round(8_000 * Math.sin(i / 5)));
const silence = (ms: number) => new Int16Array(ms * 16);
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

async function feed(input: { push(b: Uint8Array): void }, samples: Int16Array): Promise<void> {
  for (let i = 0; i < samples.length; i += 320) input.push(toPcm16Bytes(samples.subarray(i, i + 320)));
  await settle();
}

async function pipeline(turnTaking: TurnTaking) {
  const events: SessionEvent[] = [];
  const turns: NextTurn[] = [];
  const input = await createVoicePipeline(
    { encoding: 'pcm16', sampleRateHz: 16_000, channels: 1 },
    { id: 'session-1', lang: 'en', turnTaking },
    { emit: (e) => events.push(e), speaking: () => false, bargeIn: () => undefined, utterance: (t) => void turns.push(t), error: (e) => assert.fail(e) },
    { settings, vad: () => loudnessVad, transcriber: () => slowTranscriber, telemetry: new SessionTelemetry(GatewayMetrics.create(), { traceContent: false, parent: ROOT_CONTEXT }) },
  );
  return { input, events, turns };
}

test('manual endpointing: a long silence ends nothing; audio end does', async () => {
  const { input, events, turns } = await pipeline({ ...DEFAULT_TURN_TAKING, endpointing: 'manual' });
  await feed(input, tone(400));
  await feed(input, silence(1_000));
  assert.deepEqual(events.map((e) => e.type), ['speech_started']);
  input.end();
  await input.settled();
  assert.deepEqual(events.map((e) => e.type), ['speech_started', 'speech_stopped', 'transcript_final']);
  assert.equal(turns.length, 1);
  input.close();
});

test('a session\'s VAD settings stand over the gateway\'s: a longer silence window keeps one utterance across a pause', async () => {
  const { input, events } = await pipeline({ ...DEFAULT_TURN_TAKING, vad: { minSilenceMs: 800 } });
  await feed(input, tone(300));
  await feed(input, silence(400));
  await feed(input, tone(300));
  await feed(input, silence(1_000));
  await input.settled();
  assert.deepEqual(events.map((e) => e.type), ['speech_started', 'speech_stopped', 'transcript_final']);
  input.close();
});

test('settled waits for utterances still being transcribed', async () => {
  const { input, events } = await pipeline(DEFAULT_TURN_TAKING);
  await feed(input, tone(300));
  await feed(input, silence(300));
  assert.ok(events.some((e) => e.type === 'speech_stopped'));
  assert.ok(!events.some((e) => e.type === 'transcript_final'), 'the transcriber is still working');
  await input.settled();
  assert.ok(events.some((e) => e.type === 'transcript_final'));
  input.close();
});

test('clear drops the utterance in progress; speech positions keep counting the session\'s audio across it', async () => {
  const { input, events, turns } = await pipeline(DEFAULT_TURN_TAKING);
  await feed(input, silence(200));
  await feed(input, tone(300));
  input.clear();
  await settle();
  await feed(input, silence(500));
  assert.equal(turns.length, 0, 'nothing of the cleared speech is transcribed');
  await feed(input, tone(300));
  await feed(input, silence(400));
  await input.settled();
  const starts = events.filter((e) => e.type === 'speech_started');
  assert.equal(starts.length, 2);
  // The second speech began after 200 + 300 + 500 ms of audio, whatever the clear reset inside.
  assert.ok((starts[1]!.audioMs ?? 0) >= 950, JSON.stringify(starts));
  assert.equal(turns.length, 1);
  input.close();
});
