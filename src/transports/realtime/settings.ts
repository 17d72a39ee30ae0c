import type { Eagerness, SessionUpdate } from '../../session/events.ts';
import type { Dialect } from './dialect.ts';
import type { FunctionTool, SessionConfigUpdate } from './messages.ts';

/** Audio on the wire: PCM16 at a rate, or G.711 (always 8 kHz). */
export type WireAudio = { encoding: 'pcm16'; sampleRateHz: number } | { encoding: 'pcmu' | 'pcma'; sampleRateHz: 8_000 };

export interface TurnDetection {
  /** Set for `semantic_vad` ('auto' is 'medium', as OpenAI's); unset for `server_vad`. */
  eagerness?: Eagerness | undefined;
  threshold: number;
  prefixPaddingMs: number;
  silenceDurationMs: number;
  createResponse: boolean;
  interruptResponse: boolean;
}

/** The gateway's own VAD settings: what `server_vad` uses for the fields a client leaves out. */
export interface VadDefaults {
  threshold: number;
  prefixPaddingMs: number;
  minSilenceMs: number;
}

/** One Realtime session's settings, in the gateway's terms; `session.update` changes them field by field. */
export interface RealtimeSettings {
  model: string;
  instructions: string;
  voice: string | undefined;
  speak: boolean;
  input: WireAudio;
  output: WireAudio;
  transcription: { model: string; language?: string | undefined } | null;
  /** null: push-to-talk, the client commits. */
  turnDetection: TurnDetection | null;
  tools: FunctionTool[];
}

const PCM_24K: WireAudio = { encoding: 'pcm16', sampleRateHz: 24_000 };
const G711_RATE_HZ = 8_000;

export function defaultSettings(model: string, vad: VadDefaults): RealtimeSettings {
  return {
    model,
    instructions: '',
    voice: undefined,
    speak: true,
    input: PCM_24K,
    output: PCM_24K,
    transcription: null,
    turnDetection: {
      threshold: vad.threshold,
      prefixPaddingMs: vad.prefixPaddingMs,
      silenceDurationMs: vad.minSilenceMs,
      createResponse: true,
      interruptResponse: true,
    },
    tools: [],
  };
}

/** Settings after a `session.update`, in either dialect's shape (a client may mix them); unset fields stay. */
export function applyUpdate(current: RealtimeSettings, update: SessionConfigUpdate, vad: VadDefaults): RealtimeSettings {
  const next = { ...current };
  if (update.instructions !== undefined) next.instructions = update.instructions;
  const voice = update.audio?.output?.voice ?? update.voice;
  if (voice !== undefined) next.voice = voice;
  const modalities = update.output_modalities ?? update.modalities;
  if (modalities) next.speak = modalities.includes('audio');
  const input = update.audio?.input?.format ? fromGaFormat(update.audio.input.format) : update.input_audio_format && fromBetaFormat(update.input_audio_format);
  if (input) next.input = input;
  const output = update.audio?.output?.format ? fromGaFormat(update.audio.output.format) : update.output_audio_format && fromBetaFormat(update.output_audio_format);
  if (output) next.output = output;
  const transcription = update.audio?.input?.transcription !== undefined ? update.audio.input.transcription : update.input_audio_transcription;
  if (transcription !== undefined) {
    next.transcription = transcription && { model: transcription.model ?? 'whisper.cpp', language: transcription.language };
  }
  const detection = update.audio?.input?.turn_detection !== undefined ? update.audio.input.turn_detection : update.turn_detection;
  if (detection !== undefined) {
    const base = current.turnDetection ?? defaultSettings(current.model, vad).turnDetection!;
    next.turnDetection = detection && {
      eagerness: detection.type === 'semantic_vad' ? eagernessOf(detection.eagerness) : undefined,
      threshold: detection.threshold ?? base.threshold,
      prefixPaddingMs: detection.prefix_padding_ms ?? base.prefixPaddingMs,
      silenceDurationMs: detection.silence_duration_ms ?? base.silenceDurationMs,
      createResponse: detection.create_response ?? true,
      interruptResponse: detection.interrupt_response ?? true,
    };
  }
  if (update.tools !== undefined) next.tools = update.tools;
  return next;
}

function eagernessOf(eagerness: 'low' | 'medium' | 'high' | 'auto' | undefined): Eagerness {
  return eagerness === undefined || eagerness === 'auto' ? 'medium' : eagerness;
}

function fromGaFormat(format: { type: 'audio/pcm' | 'audio/pcmu' | 'audio/pcma'; rate?: number | undefined }): WireAudio {
  if (format.type === 'audio/pcmu') return { encoding: 'pcmu', sampleRateHz: G711_RATE_HZ };
  if (format.type === 'audio/pcma') return { encoding: 'pcma', sampleRateHz: G711_RATE_HZ };
  return { encoding: 'pcm16', sampleRateHz: format.rate ?? 24_000 };
}

function fromBetaFormat(format: 'pcm16' | 'g711_ulaw' | 'g711_alaw'): WireAudio {
  if (format === 'g711_ulaw') return { encoding: 'pcmu', sampleRateHz: G711_RATE_HZ };
  if (format === 'g711_alaw') return { encoding: 'pcma', sampleRateHz: G711_RATE_HZ };
  return PCM_24K;
}

/** The settings as the session core takes them. Transcription is not among them: the pipeline always transcribes. */
export function toSessionUpdate(settings: RealtimeSettings): SessionUpdate {
  const detection = settings.turnDetection;
  return {
    audioIn: { encoding: 'pcm16', sampleRateHz: settings.input.sampleRateHz, channels: 1 },
    audioOutSampleRateHz: settings.output.sampleRateHz,
    voice: settings.voice,
    instructions: settings.instructions,
    speak: settings.speak,
    clientTools: settings.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters })),
    turnTaking: detection
      ? {
          endpointing: 'vad',
          autoRespond: detection.createResponse,
          bargeIn: detection.interruptResponse,
          vad: { threshold: detection.threshold, prefixPaddingMs: detection.prefixPaddingMs, minSilenceMs: detection.silenceDurationMs },
          semantic: detection.eagerness && { eagerness: detection.eagerness },
        }
      : { endpointing: 'manual', autoRespond: false, bargeIn: false },
  };
}

/** The session object of `session.created` / `session.updated`, in the client's dialect. */
export function wireSession(settings: RealtimeSettings, id: string, voice: string, dialect: Dialect): Record<string, unknown> {
  const turns = settings.turnDetection;
  const detection = turns && {
    ...(turns.eagerness
      ? { type: 'semantic_vad', eagerness: turns.eagerness }
      : { type: 'server_vad', threshold: turns.threshold, prefix_padding_ms: turns.prefixPaddingMs, silence_duration_ms: turns.silenceDurationMs }),
    create_response: turns.createResponse,
    interrupt_response: turns.interruptResponse,
  };
  const tools = settings.tools.map((t) => ({ type: 'function', name: t.name, description: t.description ?? '', parameters: t.parameters ?? {} }));
  const common = { id, object: 'realtime.session', model: settings.model, instructions: settings.instructions, tools, tool_choice: 'auto' };
  if (dialect === 'beta') {
    return {
      ...common,
      modalities: settings.speak ? ['text', 'audio'] : ['text'],
      voice: settings.voice ?? voice,
      input_audio_format: betaFormat(settings.input),
      output_audio_format: betaFormat(settings.output),
      input_audio_transcription: settings.transcription,
      turn_detection: detection,
    };
  }
  return {
    type: 'realtime',
    ...common,
    output_modalities: settings.speak ? ['audio'] : ['text'],
    audio: {
      input: { format: gaFormat(settings.input), transcription: settings.transcription, turn_detection: detection, noise_reduction: null },
      output: { format: gaFormat(settings.output), voice: settings.voice ?? voice },
    },
  };
}

function gaFormat(audio: WireAudio) {
  return audio.encoding === 'pcm16' ? { type: 'audio/pcm', rate: audio.sampleRateHz } : { type: `audio/${audio.encoding}` };
}

function betaFormat(audio: WireAudio): string {
  return audio.encoding === 'pcm16' ? 'pcm16' : audio.encoding === 'pcmu' ? 'g711_ulaw' : 'g711_alaw';
}
