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
 *
 * A voice turn answered by a draft (turns.speculativeAfterMs) does not add its stages up one after another: the
 * draft transcribes from the pause on (its asr_ms counts from there), thinks and synthesises inside the silence
 * window, and its audio waits for the endpoint. Its critical path is whichever ends later, the window or the
 * draft: max(minSilenceMs, speculativeAfterMs + asr + LLM + TTS). The pause is the configured one, as the
 * silence window is. The headline needs no such case, as its LLM stage is read off the gateway's own clock.
 */
import { PhraseChunker } from '../../src/stages/chunker/chunker.ts';

export const TEXT_FORMULA = 'first_audio(client) - [llm_first_phrase_ms + tts_first_phrase_ms]';
export const VOICE_FORMULA =
  'voice_to_voice(client) - [vad.minSilenceMs + asr_ms + (llm_first_phrase_ms - vad_endpoint_ms - asr_ms) + tts_first_phrase_ms]';
export const STRICT_NOTE =
  'strict overhead: the same, with raw_llm (a raw streaming fetch of the stand-in to its first phrase, p50) as the LLM stage, so LangGraph and its client count as ours';
export const STRICT_DRAFT_FORMULA =
  'strict, voice turns of a phase in which the gateway committed drafts (server.drafts): voice_to_voice(client) - max(vad.minSilenceMs, turns.speculativeAfterMs + asr_ms + raw_llm + tts_first_phrase_ms)';

export type Timings = Record<string, number | undefined>;

export interface Overhead {
  /** What the client measured. */
  latencyMs: number;
  /** What the stages on the critical path take together. */
  stagesMs: number;
  overheadMs: number;
  /** overheadMs / latencyMs. */
  ratio: number;
}

/** The waits a voice turn's clock runs through before its LLM request, as configured. */
export interface VoiceWindow {
  minSilenceMs: number;
  /** turns.speculativeAfterMs when the turn's answer was a draft committed at the endpoint; absent otherwise. */
  draftAfterMs?: number | undefined;
}

function overhead(latencyMs: number, stagesMs: number): Overhead {
  const overheadMs = latencyMs - stagesMs;
  return { latencyMs, stagesMs, overheadMs, ratio: overheadMs / latencyMs };
}

/** Undefined when the turn produced no audio (its timings lack a stage). */
export function textOverhead(firstAudioMs: number, timings: Timings): Overhead | undefined {
  const { llm_first_phrase_ms: llm, tts_first_phrase_ms: tts } = timings;
  if (llm === undefined || tts === undefined) return undefined;
  return overhead(firstAudioMs, llm + tts);
}

export function voiceOverhead(voiceToVoiceMs: number, timings: Timings, minSilenceMs: number): Overhead | undefined {
  const { llm_first_phrase_ms: sinceSpeechEnd, tts_first_phrase_ms: tts, asr_ms: asr, vad_endpoint_ms: endpoint } = timings;
  if (sinceSpeechEnd === undefined || tts === undefined || asr === undefined || endpoint === undefined) return undefined;
  const llm = sinceSpeechEnd - endpoint - asr;
  return overhead(voiceToVoiceMs, minSilenceMs + asr + llm + tts);
}

/** textOverhead with a raw client's LLM time (`rawLlmMs`) in place of the one the gateway measured. */
export function strictTextOverhead(firstAudioMs: number, timings: Timings, rawLlmMs: number): Overhead | undefined {
  const { llm_first_phrase_ms: llm, tts_first_phrase_ms: tts } = timings;
  if (llm === undefined || tts === undefined) return undefined;
  return overhead(firstAudioMs, rawLlmMs + tts);
}

/** voiceOverhead with a raw client's LLM time in place of the one the gateway measured, drafts included. */
export function strictVoiceOverhead(voiceToVoiceMs: number, timings: Timings, rawLlmMs: number, window: VoiceWindow): Overhead | undefined {
  const { llm_first_phrase_ms: llm, tts_first_phrase_ms: tts, asr_ms: asr, vad_endpoint_ms: endpoint } = timings;
  // The turns voiceOverhead counts, so that both figures summarise the same turns.
  if (llm === undefined || tts === undefined || asr === undefined || endpoint === undefined) return undefined;
  const { minSilenceMs, draftAfterMs } = window;
  if (draftAfterMs === undefined) return overhead(voiceToVoiceMs, minSilenceMs + asr + rawLlmMs + tts);
  return overhead(voiceToVoiceMs, Math.max(minSilenceMs, draftAfterMs + asr + rawLlmMs + tts));
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
