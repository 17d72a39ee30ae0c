import type { AudioFormat } from '../audio/audio-format.ts';
import type { ClientTool, KnowledgeSource } from '../contracts/agent.ts';
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

export interface TurnUsage {
  inputTokens: number;
  outputTokens: number;
  /** The answer stopped at the LLM's token limit (llm.maxTokens), not where the model ended it. */
  stoppedAtLimit: boolean;
}

/** What a turn answers: typed text, an utterance, or the conversation as it stands (`respond`). */
export type TurnSource = 'text' | 'voice' | 'conversation';

/** How a session takes turns from microphone audio. */
export interface TurnTaking {
  /** 'vad': the VAD ends an utterance after a silence; 'manual': only `audioEnd` does (push-to-talk). */
  endpointing: 'vad' | 'manual';
  /** Answer each utterance at once; otherwise it only joins the conversation and `respond` answers. */
  autoRespond: boolean;
  /** User speech interrupts the assistant's answer. */
  bargeIn: boolean;
  /** This session's VAD settings over the gateway's. */
  vad?: { threshold?: number | undefined; prefixPaddingMs?: number | undefined; minSilenceMs?: number | undefined } | undefined;
  /**
   * Semantic endpointing for this session (OpenAI Realtime's `semantic_vad`): the silence follows how finished the
   * transcript looks, as with turns.adaptiveEndpointing; `eagerness` says how long an unfinished one is waited for.
   */
  semantic?: { eagerness: Eagerness } | undefined;
}

/** How long an utterance that does not look finished is waited for: 8 s (low), 4 s (medium), 2 s (high), as OpenAI's. */
export type Eagerness = 'low' | 'medium' | 'high';

export const DEFAULT_TURN_TAKING: TurnTaking = { endpointing: 'vad', autoRespond: true, bargeIn: true };

/** What a session may change after its start: every option but the session id and the language. */
export interface SessionUpdate {
  audioIn?: AudioFormat | undefined;
  voice?: string | undefined;
  speech?: SpeechSettings | undefined;
  audioOutSampleRateHz?: number | undefined;
  /** Added to the agent's system prompt for every turn. */
  instructions?: string | undefined;
  turnTaking?: Partial<TurnTaking> | undefined;
  /** Functions the client runs, offered to the model beside the agent's own tools. */
  clientTools?: readonly ClientTool[] | undefined;
  /** Whether answers are spoken (false: text only). Default true. */
  speak?: boolean | undefined;
}

/** A response asked for without new input; unset fields keep the session's. */
export interface RespondOptions {
  /** Added to the system prompt for this response only, instead of the session's. */
  instructions?: string | undefined;
  speak?: boolean | undefined;
}

/** What a session tells its client, in order. A transport turns these into its own wire messages. */
export type SessionEvent =
  | {
      type: 'started';
      sessionId: string;
      /** Resumes the session without the credential that created it; replaced at every start. */
      resumeSecret: string;
      resumed: boolean;
      lang: string;
      voice: string;
      /** The rate of the audio the session sends (the voice's own unless the client asked for another). */
      audioOut: { sampleRateHz: number };
    }
  /** A turn begins: an answer to typed text, to an utterance, or (`respond`) to the conversation as it stands. */
  | { type: 'turn_started'; turnId: string; source: TurnSource }
  /** `audioMs`: where in the session's microphone audio speech began (its first voiced frame) or stopped. */
  | { type: 'speech_started'; audioMs?: number }
  | { type: 'speech_stopped'; audioMs?: number }
  | { type: 'transcript_partial'; turnId: string; text: string }
  | { type: 'transcript_final'; turnId: string; text: string }
  | { type: 'answer_delta'; turnId: string; text: string }
  /** The agent ran one of its own tools; `sources`: the document passages a knowledge search gave the model. */
  | { type: 'tool_call'; turnId: string; name: string; args: unknown; sources?: KnowledgeSource[] }
  /** The model called a function the client runs; the client answers with `remember({type: 'tool_output'})`. */
  | { type: 'client_tool_call'; turnId: string; callId: string; name: string; arguments: string }
  | { type: 'audio_started'; turnId: string; sampleRateHz: number }
  | { type: 'audio_ended'; turnId: string; sampleRateHz: number }
  | {
      type: 'turn_ended';
      turnId: string;
      outcome: TurnOutcome;
      timings: TurnTimings;
      /** Tokens of the turn's LLM calls, when the LLM server reported them. */
      usage?: TurnUsage;
    }
  /** `turnContinues`: the turn goes on without what failed (a tool), rather than ending with this error. */
  | { type: 'error'; error: GatewayError; turnId?: string; turnContinues?: true }
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
export interface SessionOptions extends Omit<SessionUpdate, 'audioIn' | 'voice' | 'speech' | 'audioOutSampleRateHz'> {
  /** Resume this session: its language, voice and speech settings, and its conversation memory. */
  sessionId?: string | undefined;
  /** The resume secret the session's latest `started` gave, for a client without the creating credential. */
  resumeSecret?: string | undefined;
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
