/**
 * Gateway overhead: the part of a latency the client sees that no engine, model or configured wait accounts
 * for. Latency minus the stage times on the critical path to the first audio byte:
 *
 *   text turn:  first_audio(client) - [llm_first_phrase + tts_first_phrase]
 *   voice turn: voice_to_voice(client) - [minSilenceMs + asr + llm_first_phrase(llm part) + tts_first_phrase]
 *
 * A voice turn's server clock starts at the end of speech, so its llm_first_phrase_ms also holds the endpoint
 * wait and the transcription; the LLM's own part is llm_first_phrase_ms - vad_endpoint_ms - asr_ms. The
 * silence window is the configured one, not the measured vad_endpoint_ms: noticing the silence later than
 * configured (VAD frame rounding, a busy event loop) is ours. Only the first phrase is on the critical path:
 * later phrases are synthesised while the first one plays.
 *
 * Two readings of "LLM until the first phrase is complete":
 * - measured (headline): llm_first_phrase_ms as the gateway saw it, so the agent path (LangGraph, HTTP, SSE
 *   parsing, phrase chunking) counts as LLM time;
 * - strict: the first phrase as a raw streaming fetch of the same stand-in sees it (llm-baseline.ts), so the
 *   agent path counts as ours.
 */
import { PhraseChunker } from '../../src/stages/chunker/chunker.ts';

export const TEXT_FORMULA = 'first_audio(client) - [llm_first_phrase_ms + tts_first_phrase_ms]';
export const VOICE_FORMULA =
  'voice_to_voice(client) - [vad.minSilenceMs + asr_ms + (llm_first_phrase_ms - vad_endpoint_ms - asr_ms) + tts_first_phrase_ms]';
export const STRICT_NOTE = 'strict overhead: the same, with the LLM stage as a raw streaming fetch of the stand-in sees it (p50), so LangGraph and its client count as ours';

export type Timings = Record<string, number | undefined>;

export interface Overhead {
  /** What the client measured. */
  latencyMs: number;
  /** Sum of the stage times on the critical path. */
  stagesMs: number;
  overheadMs: number;
  /** overheadMs / latencyMs. */
  ratio: number;
  /** The LLM stage as the gateway measured it (the agent path included). */
  llmMs: number;
}

function overhead(latencyMs: number, stagesMs: number, llmMs: number): Overhead {
  const overheadMs = latencyMs - stagesMs;
  return { latencyMs, stagesMs, overheadMs, ratio: overheadMs / latencyMs, llmMs };
}

/** Undefined when the turn produced no audio (its timings lack a stage). */
export function textOverhead(firstAudioMs: number, timings: Timings): Overhead | undefined {
  const { llm_first_phrase_ms: llm, tts_first_phrase_ms: tts } = timings;
  if (llm === undefined || tts === undefined) return undefined;
  return overhead(firstAudioMs, llm + tts, llm);
}

export function voiceOverhead(voiceToVoiceMs: number, timings: Timings, minSilenceMs: number): Overhead | undefined {
  const { llm_first_phrase_ms: sinceSpeechEnd, tts_first_phrase_ms: tts, asr_ms: asr, vad_endpoint_ms: endpoint } = timings;
  if (sinceSpeechEnd === undefined || tts === undefined || asr === undefined || endpoint === undefined) return undefined;
  const llm = sinceSpeechEnd - endpoint - asr;
  return overhead(voiceToVoiceMs, minSilenceMs + asr + llm + tts, llm);
}

/** The same overhead with a raw client's LLM time in place of the one the gateway measured. */
export function strictOverhead(measured: Overhead, rawLlmMs: number): Overhead {
  return overhead(measured.latencyMs, measured.stagesMs - measured.llmMs + rawLlmMs, rawLlmMs);
}

/**
 * When the stand-in means to write the token that completes the gateway's first phrase: it sends token i at
 * firstTokenMs + i / tokensPerSecond, and the gateway's own chunker says which token completes a phrase
 * (the last one, if only the end of the stream does). Its timers run a little late, so it is a lower bound.
 */
export function modelFirstPhraseMs(tokens: readonly string[], firstTokenMs: number, tokensPerSecond: number): number {
  const chunker = new PhraseChunker();
  let last = tokens.findIndex((token) => chunker.push(token).length > 0);
  if (last < 0) last = Math.max(0, tokens.length - 1);
  return firstTokenMs + (last * 1000) / tokensPerSecond;
}
