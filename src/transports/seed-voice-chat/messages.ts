import { z } from 'zod';

/** Kokoro's language codes as seed 004 sends them (`lang_code`), as the languages the gateway's voices speak. */
const KOKORO_LANGUAGES: Record<string, string> = { a: 'en', b: 'en', e: 'es', f: 'fr', h: 'hi', i: 'it', j: 'ja', p: 'pt', z: 'zh' };

export function languageOf(langCode: string | undefined): string | undefined {
  return langCode === undefined ? undefined : (KOKORO_LANGUAGES[langCode] ?? langCode);
}

export const synthesizeBodySchema = z.object({
  text: z.string().min(1),
  voice: z.string().min(1).optional(),
  lang_code: z.string().min(1).optional(),
  speed: z.number().min(0.25).max(4).default(1),
});

/** What the seed's own browser example posts instead of a form: the recording as base64 in JSON. */
export const transcribeJsonSchema = z.object({
  audio_base64: z.string().min(1),
  language: z.string().min(1).optional(),
});

export const chatMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('transcribe'), audio_base64: z.string().min(1), language: z.string().min(1).optional() }),
  synthesizeBodySchema.extend({ type: z.literal('synthesize') }),
  z.object({ type: z.literal('ping') }),
]);

export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const transcriptionResponseSchema = z.object({
  text: z.string(),
  language: z.string(),
  confidence: z.null(),
  duration_seconds: z.number(),
  model: z.string(),
});

export const synthesisResponseSchema = z.object({
  audio_base64: z.string(),
  audio_sample_rate: z.number().int(),
  audio_duration_seconds: z.number(),
  voice: z.string(),
  speed: z.number(),
});
