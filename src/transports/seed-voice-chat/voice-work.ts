import type { Context } from '@opentelemetry/api';
import { decodeAudio } from '../../audio/decode/decode-audio.ts';
import { GatewayError } from '../../core/errors.ts';
import type { SpeechApiDeps } from '../speech-api/deps.ts';
import { collectSpeech } from '../speech-api/wav-response.ts';
import { wavFile } from '../speech-api/wav.ts';
import { languageOf, type synthesisResponseSchema, type transcriptionResponseSchema } from './messages.ts';
import type { z } from 'zod';

/** Seed 004's transcription of one recording (any accepted container), shared by REST and the WebSocket chat. */
export async function transcribeRecording(
  deps: SpeechApiDeps,
  bytes: Uint8Array,
  language: string | undefined,
  signal: AbortSignal,
  trace: Context,
): Promise<z.infer<typeof transcriptionResponseSchema>> {
  if (bytes.length > deps.limits.maxUploadBytes) {
    throw new GatewayError('audio_too_large', `the audio is larger than the ${deps.limits.maxUploadBytes} bytes allowed`);
  }
  const audio = await decodeAudio(bytes, deps.limits.maxAudioSeconds);
  const transcript = await deps.speech.transcribe(audio.samples16k, { language: language ?? 'auto', signal, trace });
  return {
    text: transcript.text,
    language: transcript.language,
    confidence: null,
    duration_seconds: Number(audio.durationSeconds.toFixed(3)),
    model: `whisper.cpp (${deps.speech.asrModel})`,
  };
}

/** Seed 004's synthesis: the whole text as one WAV, base64. */
export async function synthesizeWav(
  deps: SpeechApiDeps,
  request: { text: string; voice?: string | undefined; lang_code?: string | undefined; speed: number },
  signal: AbortSignal,
  trace: Context,
): Promise<z.infer<typeof synthesisResponseSchema>> {
  if (request.text.length > deps.limits.maxInputChars) {
    throw new GatewayError('text_too_long', `text is longer than the ${deps.limits.maxInputChars} characters allowed`);
  }
  const speech = deps.speech.synthesize(request.text, { voice: request.voice, language: languageOf(request.lang_code), speed: request.speed, signal, trace });
  const { chunks, seconds } = await collectSpeech(speech);
  return {
    audio_base64: wavFile(speech.voice.sampleRateHz, chunks).toString('base64'),
    audio_sample_rate: speech.voice.sampleRateHz,
    audio_duration_seconds: Number(seconds.toFixed(3)),
    voice: speech.voice.name,
    speed: request.speed,
  };
}

/** base64 as bytes; anything that is not base64 is `invalid_request`. */
export function fromBase64(text: string): Buffer {
  const clean = text.replace(/^data:[^,]*,/, '');
  if (!/^[A-Za-z0-9+/=\s_-]*$/.test(clean)) throw new GatewayError('invalid_request', 'audio_base64 is not base64');
  return Buffer.from(clean, 'base64');
}
