/**
 * The wire format of coqui-ai/xtts-streaming-server: what GET /languages and GET /studio_speakers answer, and the
 * JSON body of POST /tts_stream.
 */
import { z } from 'zod';

/** XTTS v2 always speaks at this rate; the server's stream carries no header saying so. */
export const XTTS_SAMPLE_RATE_HZ = 24_000;

/** Tokens per streamed piece: the server's own default, a balance of first-audio delay and quality. */
const STREAM_CHUNK_SIZE = '20';

// A list from config.languages; some forks answer a name -> id map instead.
export const languagesSchema = z.union([z.array(z.string()), z.record(z.string(), z.unknown()).transform((map) => Object.keys(map))]);

const latentsSchema = z.object({
  speaker_embedding: z.array(z.number()),
  gpt_cond_latent: z.array(z.array(z.number())),
});

export const studioSpeakersSchema = z.record(z.string(), latentsSchema);

export type SpeakerLatents = z.infer<typeof latentsSchema>;

/**
 * The latents as the members of a JSON object, serialised once: they are tens of thousands of numbers, sent with
 * every phrase.
 */
export function latentsJsonMembers(latents: SpeakerLatents): string {
  return JSON.stringify({ speaker_embedding: latents.speaker_embedding, gpt_cond_latent: latents.gpt_cond_latent }).slice(1, -1);
}

/** The body of POST /tts_stream asking for raw PCM, no WAV header. */
export function ttsStreamBody(text: string, language: string, latentsMembers: string): string {
  const head = JSON.stringify({ text, language, add_wav_header: false, stream_chunk_size: STREAM_CHUNK_SIZE });
  return `${head.slice(0, -1)},${latentsMembers}}`;
}

/**
 * The server's code for a session language: an exact match, else one with the same primary subtag (`en-US` ->
 * `en`, `zh` -> `zh-cn`); undefined when the server has none.
 */
export function matchLanguage(requested: string, supported: readonly string[]): string | undefined {
  const wanted = requested.toLowerCase();
  const exact = supported.find((code) => code.toLowerCase() === wanted);
  if (exact !== undefined) return exact;
  const primary = (code: string) => code.toLowerCase().split(/[-_]/)[0];
  return supported.find((code) => primary(code) === primary(wanted));
}
