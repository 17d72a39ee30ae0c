import type { SessionOptions, SessionEvent, TurnTimings } from '../../session/events.ts';
import type { ServerMessage, SessionStart } from './messages.ts';

/** Protocol v1's names for the turn timings in `response_end`. */
const TIMING_NAMES: Record<keyof TurnTimings, string> = {
  vadEndpointMs: 'vad_endpoint_ms',
  asrMs: 'asr_ms',
  llmFirstTokenMs: 'llm_first_token_ms',
  llmFirstPhraseMs: 'llm_first_phrase_ms',
  llmTotalMs: 'llm_total_ms',
  ttsFirstPhraseMs: 'tts_first_phrase_ms',
  ttsTotalMs: 'tts_total_ms',
  firstAudioMs: 'first_audio_ms',
  playbackMs: 'playback_ms',
  totalMs: 'total_ms',
  voiceToVoiceMs: 'voice_to_voice_ms',
};

/** A session event as the v1 message that says it; undefined for events v1 says otherwise (the end: a close code). */
export function toV1Message(event: SessionEvent): ServerMessage | undefined {
  switch (event.type) {
    case 'started':
      return {
        type: 'session_started',
        session_id: event.sessionId,
        resume_secret: event.resumeSecret,
        resumed: event.resumed,
        lang: event.lang,
        voice: event.voice,
        audio_out: { sample_rate: event.audioOut.sampleRateHz, format: 'pcm16', channels: 1 },
      };
    case 'speech_started':
      return { type: 'vad', state: 'speech_start' };
    case 'speech_stopped':
      return { type: 'vad', state: 'speech_end' };
    case 'transcript_partial':
      return { type: 'asr_partial', turn_id: event.turnId, text: event.text };
    case 'transcript_final':
      return { type: 'asr_final', turn_id: event.turnId, text: event.text };
    case 'answer_delta':
      return { type: 'llm_token', turn_id: event.turnId, token: event.text };
    case 'tool_call':
      return { type: 'tool_call', turn_id: event.turnId, name: event.name, args: event.args, ...(event.sources && { sources: event.sources }) };
    case 'audio_started':
      return { type: 'tts_start', turn_id: event.turnId, sample_rate: event.sampleRateHz };
    case 'audio_ended':
      return { type: 'tts_end', turn_id: event.turnId, sample_rate: event.sampleRateHz };
    case 'turn_ended':
      return { type: 'response_end', turn_id: event.turnId, interrupted: event.outcome === 'interrupted', timings: v1Timings(event.timings) };
    case 'error': {
      const { code, publicMessage: message, recoverable, retryable } = event.error;
      return { type: 'error', code, message, recoverable, retryable, ...(event.turnId !== undefined && { turn_id: event.turnId }) };
    }
    // Protocol v1 has no message for these: a turn shows itself by its first token, and clients declare no tools.
    case 'turn_started':
    case 'client_tool_call':
    case 'ended':
      return undefined;
  }
}

/** Turn timings under their snake_case wire names (v1's `response_end.timings`; Realtime's `response.done`). */
export function v1Timings(timings: TurnTimings): Record<string, number> {
  const named: Record<string, number> = {};
  for (const [key, value] of Object.entries(timings) as [keyof TurnTimings, number | undefined][]) {
    if (value !== undefined) named[TIMING_NAMES[key]] = value;
  }
  return named;
}

/** `session_start` as the session's options. Piper's knobs keep their v1 names, which are Piper's own. */
export function toSessionOptions(start: SessionStart): SessionOptions {
  const { speaker, ...engineOptions } = start.tts ?? {};
  const hasEngineOptions = Object.values(engineOptions).some((v) => v !== undefined);
  return {
    sessionId: start.session_id,
    resumeSecret: start.resume_secret,
    lang: start.lang,
    voice: start.voice,
    audioIn: start.audio && { encoding: start.audio.format, sampleRateHz: start.audio.sample_rate, channels: start.audio.channels },
    ...(start.tts && { speech: { speaker, ...(hasEngineOptions && { engineOptions: dropUndefined(engineOptions) }) } }),
    audioOutSampleRateHz: start.audio_out?.sample_rate,
    ...(start.endpointing && {
      turnTaking: {
        endpointing: start.endpointing === 'manual' ? 'manual' : 'vad',
        semantic: start.endpointing === 'semantic' ? { eagerness: start.eagerness ?? 'medium' } : undefined,
      },
    }),
  };
}

function dropUndefined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}
