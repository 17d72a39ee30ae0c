import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireKey } from '../v1/route.ts';
import type { TransportDeps } from '../deps.ts';

export const VOICES_PATH = '/v1/voices';

/** `GET /v1/voices`: what a client may put in `session_start.voice` and `lang`. */
export const voicesResponseSchema = z.object({
  default_voice: z.string(),
  voices: z.array(
    z.object({
      name: z.string(),
      sample_rate: z.number().int(),
      /** The voice's speakers once loaded (empty: one speaker); null while it loads. */
      speakers: z.array(z.string()).nullable(),
      /** Session languages that get this voice unless another is asked for. */
      languages: z.array(z.string()),
    }),
  ),
  /** Languages to offer: `auto` (whisper detects each utterance's) and each one a voice is configured for. */
  languages: z.array(z.string()),
});

export type VoicesResponse = z.infer<typeof voicesResponseSchema>;

/** The voices as the route reads them: the default first, then the rest (the gateway's VoiceRegistry). */
export interface VoiceListing {
  readonly all: ReadonlyArray<{ name: string; sampleRateHz: number; speakers: readonly string[] | undefined }>;
  select(lang: string): { name: string };
}

export interface VoicesRouteDeps extends Pick<TransportDeps, 'keyCheck'> {
  voices: VoiceListing;
  /** The languages that have a voice of their own. */
  voiceLanguages: readonly string[];
}

// Piper voices are named language_REGION-name-quality (en_US-lessac-medium).
const PIPER_LANGUAGE = /^([a-z]{2,3})_[A-Z]{2}-/;

export function voicesRoute(deps: VoicesRouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(VOICES_PATH, { preValidation: requireKey(deps) }, async (): Promise<VoicesResponse> => {
      const [defaultVoice] = deps.voices.all;
      const defaultLanguage = PIPER_LANGUAGE.exec(defaultVoice?.name ?? '')?.[1] ?? 'en';
      const languages = [...new Set([defaultLanguage, ...deps.voiceLanguages.map((l) => l.toLowerCase())])];
      return {
        default_voice: defaultVoice?.name ?? '',
        voices: deps.voices.all.map((voice) => ({
          name: voice.name,
          sample_rate: voice.sampleRateHz,
          speakers: voice.speakers ? [...voice.speakers] : null,
          languages: languages.filter((lang) => deps.voices.select(lang).name === voice.name),
        })),
        languages: ['auto', ...languages],
      };
    });
  };
}
