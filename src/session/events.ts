import type { AudioFormat } from '../audio/audio-format.ts';
import type { GatewayError, SessionEndCode } from '../core/errors.ts';

/** Stage times of one turn in ms, from its start (the end of the user's speech on a voice turn; else the input's arrival). */
export interface TurnTimings {
  /** End of speech until the VAD was sure of it: the silence window, and how late it closed. */
  vadEndpointMs?: number;
  /** The end of the VAD's wait until the final transcript. */
  asrMs?: number;
  llmFirstTokenMs?: number;
  /** The first phrase complete enough to speak. */
  llmFirstPhraseMs?: number;
  llmTotalMs?: number;
  /** Synthesis of the first phrase until its first audio (not from the turn's start). */
  ttsFirstPhraseMs?: number;
  /** Time spent synthesising, all phrases (not from the turn's start). */
  ttsTotalMs?: number;
  firstAudioMs?: number;
  /** First audio until the turn ended (not from the turn's start). */
  playbackMs?: number;
  totalMs?: number;
  /** On a voice turn, the end of the user's speech until the first audio: `firstAudioMs`. */
  voiceToVoiceMs?: number;
}

export type TurnOutcome = 'completed' | 'interrupted' | 'failed';

/** What a session tells its client, in order. A transport turns these into its own wire messages. */
export type SessionEvent =
  | {
      type: 'started';
      sessionId: string;
      resumed: boolean;
      lang: string;
      voice: string;
      /** The rate of the audio the session sends (the voice's own unless the client asked for another). */
      audioOut: { sampleRateHz: number };
    }
  | { type: 'speech_started' }
  | { type: 'speech_stopped' }
  | { type: 'transcript_partial'; turnId: string; text: string }
  | { type: 'transcript_final'; turnId: string; text: string }
  | { type: 'answer_delta'; turnId: string; text: string }
  | { type: 'tool_call'; turnId: string; name: string; args: unknown }
  | { type: 'audio_started'; turnId: string; sampleRateHz: number }
  | { type: 'audio_ended'; turnId: string; sampleRateHz: number }
  | { type: 'turn_ended'; turnId: string; outcome: TurnOutcome; timings: TurnTimings }
  | { type: 'error'; error: GatewayError; turnId?: string }
  /** The session ended itself (a limit, shutdown): the transport closes the connection saying why. */
  | { type: 'ended'; code: SessionEndCode; message: string };

/** The session's way out: events, the answer's audio, and backpressure. */
export interface SessionSink {
  event(event: SessionEvent): void;
  /** PCM16 mono at the rate the turn's `audio_started` announced, in frames of at most 100 ms. */
  audio(turnId: string, pcm: Int16Array): void;
  /** Resolves once the client can take more audio, or the signal aborts. */
  drained(signal: AbortSignal): Promise<void>;
}

/** How a client's speech should sound: unset fields keep the voice's own. */
export interface SpeechSettings {
  /** A speaker of a multi-speaker voice, by name or index. */
  speaker?: string | number | undefined;
  speed?: number | undefined;
  /** The engine's own knobs, checked by the engine (Piper: length_scale, noise_scale, noise_w). */
  engineOptions?: Record<string, unknown> | undefined;
}

/** What a client asks for when it starts (or resumes) a session. */
export interface SessionOptions {
  /** Resume this session: its language, voice and speech settings, and its conversation memory. */
  sessionId?: string | undefined;
  /** A language code, or 'auto' to answer in the language each utterance was spoken in. */
  lang?: string | undefined;
  /** The microphone audio the client will send; without it the session takes text only. */
  audioIn?: AudioFormat | undefined;
  /** A voice by name (or, for older clients, a speaker of the default voice). */
  voice?: string | undefined;
  speech?: SpeechSettings | undefined;
  /** The rate the client plays at; the gateway resamples its voices to it. */
  audioOutSampleRateHz?: number | undefined;
}
