/**
 * The voice pipeline over fakes: a VAD that hears speech in any frame louder than a whisper, so a test drives the
 * pipeline's logic (endpointing, barge-in, transcription order) with generated tones and silence, not a model.
 */
import assert from 'node:assert/strict';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { Transcriber } from '../../src/contracts/asr.ts';
import type { VadModel, VadStream } from '../../src/contracts/vad.ts';
import type { ContextMessage, TurnDetector } from '../../src/contracts/turns.ts';
import { rulesTurnDetector } from '../../src/engines/turn-rules/engine.ts';
import { GatewayMetrics } from '../../src/observability/metrics.ts';
import type { SessionEvent, TurnTaking } from '../../src/session/events.ts';
import { SessionTelemetry } from '../../src/session/telemetry.ts';
import { createVoicePipeline, type VoicePipelineSettings } from '../../src/session/voice-pipeline.ts';
import type { NextTurn } from '../../src/session/voice-input.ts';
import { toPcm16Bytes } from './wav.ts';

const loudnessVad: VadModel = {
  createStream: (): VadStream => ({
    frameSamples: 512,
    sampleRateHz: 16_000,
    process: async (frame) => (frame.some((s) => Math.abs(s) > 0.01) ? 0.9 : 0.05),
    reset: () => undefined,
  }),
  close: async () => undefined,
};

export const PIPELINE_SETTINGS: VoicePipelineSettings = {
  endpointer: { threshold: 0.5, minSpeechMs: 96, minSilenceMs: 200, prefixPaddingMs: 64, maxUtteranceMs: 30_000 },
  bargeInMinSpeechMs: 300,
  partialIntervalMs: 500,
  maxBufferedAudioMs: 5_000,
  speculativeAfterMs: 0,
  bargeInConfirm: 'vad',
  completeSilenceMs: 100,
};

/** A transcriber that says how many samples it heard, after `delayMs`. */
export function countingTranscriber(delayMs = 0): Transcriber {
  return {
    async transcribe(audio16k) {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return { text: `heard ${audio16k.length} samples`, engineMs: delayMs };
    },
    transcribePartial: async () => undefined,
    close: async () => undefined,
  };
}

export interface PipelineOptions {
  transcriber?: Transcriber;
  settings?: VoicePipelineSettings;
  /** Whether the assistant is speaking, for barge-in. */
  speaking?: () => boolean;
  turnTaking?: TurnTaking;
  /** Judges transcripts for adaptive endpointing; the text rules unless given. */
  turnDetector?: TurnDetector;
  /** The conversation's last turns, as the session keeps them. */
  recentTurns?: readonly ContextMessage[];
  /** Where the pipeline's telemetry counts; a fresh set unless given. */
  metrics?: GatewayMetrics;
}

/** A 16 kHz mono pipeline recording what it emits, the turns it starts and its barge-ins. */
export async function startPipeline(options: PipelineOptions = {}) {
  const events: SessionEvent[] = [];
  const turns: NextTurn[] = [];
  let bargeIns = 0;
  const input = await createVoicePipeline(
    { encoding: 'pcm16', sampleRateHz: 16_000, channels: 1 },
    { id: 'session-1', lang: 'en', ...(options.turnTaking && { turnTaking: options.turnTaking }), recentTurns: () => options.recentTurns ?? [] },
    {
      emit: (e) => events.push(e),
      speaking: options.speaking ?? (() => false),
      bargeIn: () => (bargeIns += 1),
      utterance: (t) => void turns.push(t),
      error: (e) => assert.fail(e),
    },
    {
      settings: options.settings ?? PIPELINE_SETTINGS,
      vad: () => loudnessVad,
      transcriber: () => options.transcriber ?? countingTranscriber(),
      turnDetector: () => options.turnDetector ?? rulesTurnDetector,
      telemetry: new SessionTelemetry(options.metrics ?? GatewayMetrics.create(), { traceContent: false, parent: ROOT_CONTEXT }),
    },
  );
  return { input, events, turns, bargeIns: () => bargeIns };
}

export const tone = (ms: number) => Int16Array.from({ length: ms * 16 }, (_, i) => Math.round(8_000 * Math.sin(i / 5)));
export const silence = (ms: number) => new Int16Array(ms * 16);
export const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

/** Sends 20 ms messages as fast as the pipeline takes them, then lets it settle. */
export async function feed(input: { push(b: Uint8Array): void }, samples: Int16Array): Promise<void> {
  for (let i = 0; i < samples.length; i += 320) input.push(toPcm16Bytes(samples.subarray(i, i + 320)));
  await settle();
}
