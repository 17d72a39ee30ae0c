import { createRequire } from 'node:module';

/*
 * The part of @fugood/whisper.node 1.1.x this engine uses, typed here: the package ships its TypeScript sources
 * (lib/index.ts, no .d.ts), which our strict ESM config would type-check and reject, so it is loaded through
 * `require` and described by these declarations (from its lib/binding.ts).
 */

export type WhisperVariant = 'default' | 'vulkan' | 'cuda' | 'hip';

export interface NativeTranscribeOptions {
  language?: string;
  maxThreads?: number;
  temperature?: number;
  temperatureInc?: number;
  bestOf?: number;
}

export interface NativeTranscribeResult {
  language?: string;
  result: string;
  isAborted: boolean;
}

export interface NativeJob {
  /** Only sets a flag; see pooled-context.ts for what it does not do. */
  stop: () => Promise<void>;
  promise: Promise<NativeTranscribeResult>;
}

export interface NativeWhisperContext {
  /** `audio`: 16 kHz mono PCM16, copied before this returns. */
  transcribeData(audio: ArrayBuffer, options?: NativeTranscribeOptions): NativeJob;
  bench(nThreads: number): Promise<{ encodeMs: number; decodeMs: number; batchdMs: number; promptMs: number }>;
  release(): Promise<void>;
}

interface WhisperNode {
  initWhisper(options: { filePath: string; useGpu?: boolean }, variant?: WhisperVariant): Promise<NativeWhisperContext>;
  toggleNativeLog(enable: boolean): Promise<void>;
  addNativeLogListener(listener: (level: string, text: string) => void): { remove(): void };
}

const whisperNode = createRequire(import.meta.url)('@fugood/whisper.node') as WhisperNode;

type NativeLogSink = (level: string, text: string) => void;
let nativeLogSink: NativeLogSink | undefined;
let contextsAlive = 0;

whisperNode.addNativeLogListener((level, text) => nativeLogSink?.(level, text));

export function setNativeLogSink(sink: NativeLogSink | undefined): void {
  nativeLogSink = sink;
}

/**
 * whisper.cpp prints its model-loading chatter straight to stderr unless a listener takes it. The listener is a
 * native thread-safe function that keeps the process alive, so it is on only while contexts exist.
 */
async function contextOpened(): Promise<void> {
  if (contextsAlive++ === 0) await whisperNode.toggleNativeLog(true);
}

async function contextReleased(): Promise<void> {
  if (--contextsAlive === 0) await whisperNode.toggleNativeLog(false);
}

export const initWhisper: WhisperNode['initWhisper'] = async (options, variant) => {
  await contextOpened();
  try {
    const context = await whisperNode.initWhisper(options, variant);
    return {
      transcribeData: (audio, transcribeOptions) => context.transcribeData(audio, transcribeOptions),
      bench: (nThreads) => context.bench(nThreads),
      release: async () => {
        await context.release();
        await contextReleased();
      },
    };
  } catch (err) {
    await contextReleased();
    throw err;
  }
};
