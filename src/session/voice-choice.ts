import { sampleRateError } from '../audio/audio-format.ts';
import type { Voice, Voices } from '../contracts/voices.ts';
import type { SpeechSettings } from './events.ts';

export interface VoiceChoice {
  /** The voice the client named, which every turn speaks with; undefined: each turn takes its language's voice. */
  named: Voice | undefined;
  /** The voice that speaks now: the named one, or the language's. */
  voice: Voice;
  speech: SpeechSettings;
}

/**
 * The voice a client asked for. Older clients name a speaker of the voice in `voice`: a name that is no voice
 * becomes the speaker, unless `speech.speaker` says it explicitly.
 */
export function chooseVoice(voices: Voices, lang: string, requested: string | undefined, speech: SpeechSettings): VoiceChoice {
  const named = requested !== undefined && voices.has(requested) ? voices.select(lang, requested) : undefined;
  const chosen = requested !== undefined && !named && speech.speaker === undefined ? { ...speech, speaker: requested } : speech;
  return { named, voice: named ?? voices.select(lang), speech: chosen };
}

/** Settings given now over those kept from before; engine options merge key by key. */
export function mergeSpeech(previous: SpeechSettings | undefined, given: SpeechSettings | undefined): SpeechSettings {
  const engineOptions = { ...previous?.engineOptions, ...given?.engineOptions };
  const merged: SpeechSettings = { ...previous, ...given };
  if (Object.keys(engineOptions).length > 0) merged.engineOptions = engineOptions;
  return merged;
}

/** Throws GatewayError('bad_audio_format') for an output rate outside 8-48 kHz. */
export function checkOutputRate(sampleRateHz: number | undefined): void {
  const error = sampleRateHz === undefined ? undefined : sampleRateError(sampleRateHz, 'output');
  if (error) throw error;
}
