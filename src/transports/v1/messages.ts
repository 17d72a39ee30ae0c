import { z } from 'zod';

/** Protocol v1 on `/ws/s2s`: text frames are JSON with a `type`, binary frames are PCM16 audio. */

export const audioFormatSchema = z.object({
  sample_rate: z.number().int(),
  format: z.string(),
  channels: z.number().int(),
});

const turnId = z.string();

// Client -> server. Unknown extra fields are ignored so older and newer clients keep working.
export const sessionStartSchema = z.object({
  type: z.literal('session_start'),
  lang: z.string().min(1).max(16).optional(),
  audio: audioFormatSchema.optional(),
  voice: z.string().min(1).max(200).optional(),
  /** Per-session synthesis settings; unset ones come from the voice's own config. */
  tts: z
    .object({
      speaker: z.union([z.string().min(1).max(200), z.number().int().nonnegative()]).optional(),
      length_scale: z.number().min(0.25).max(4).optional(),
      noise_scale: z.number().min(0).max(2).optional(),
      noise_w: z.number().min(0).max(2).optional(),
    })
    .optional(),
  /** Resume this session (an id a `session_started` gave); a new session gets its id from the gateway. */
  session_id: z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, 'session_id must be 8-128 characters of [A-Za-z0-9_-]').optional(),
  /** The `resume_secret` of the session's latest `session_started`: needed to resume with another credential, or none. */
  resume_secret: z.string().min(1).max(200).optional(),
  /** The rate the client plays at (8-48 kHz); the gateway resamples its voices to it. Default: the voice's own. */
  audio_out: z.object({ sample_rate: z.number().int().min(8_000).max(48_000) }).optional(),
  /**
   * What ends an utterance: `vad` the silence window (adaptive when the gateway is), `semantic` a silence that
   * follows how finished the transcript looks, `manual` only `audio_end` (push-to-talk). Default `vad`.
   */
  endpointing: z.enum(['vad', 'semantic', 'manual']).optional(),
  /** With `semantic`: how long an utterance that looks unfinished is waited for, 8 s, 4 s (default) or 2 s. */
  eagerness: z.enum(['low', 'medium', 'high']).optional(),
}).refine((start) => start.eagerness === undefined || start.endpointing === 'semantic', {
  message: 'eagerness is for endpointing "semantic"',
  path: ['eagerness'],
});

export const clientMessageSchema = z.discriminatedUnion('type', [
  sessionStartSchema,
  z.object({ type: z.literal('audio_end') }),
  z.object({ type: z.literal('text_input'), text: z.string() }),
  z.object({ type: z.literal('interrupt') }),
  z.object({ type: z.literal('playback'), turn_id: turnId, played_ms: z.number().nonnegative() }),
  z.object({ type: z.literal('ping') }),
]);

export const CLIENT_MESSAGE_TYPES = clientMessageSchema.options.map((o) => o.shape.type.value);

export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type SessionStart = z.infer<typeof sessionStartSchema>;

// Server -> client. The gateway's own tests parse every frame it sends with these.
export const timingsSchema = z.record(z.string(), z.number());

export const serverMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('session_started'),
    session_id: z.string(),
    /** Keep it to resume; a new one comes with every `session_started`. */
    resume_secret: z.string(),
    resumed: z.boolean(),
    lang: z.string(),
    voice: z.string().optional(),
    audio_out: z.object({ sample_rate: z.number().int(), format: z.literal('pcm16'), channels: z.literal(1) }),
  }),
  z.object({ type: z.literal('vad'), state: z.enum(['speech_start', 'speech_end']) }),
  z.object({ type: z.literal('asr_partial'), turn_id: turnId, text: z.string() }),
  z.object({ type: z.literal('asr_final'), turn_id: turnId, text: z.string() }),
  z.object({ type: z.literal('llm_token'), turn_id: turnId, token: z.string() }),
  z.object({
    type: z.literal('tool_call'),
    turn_id: turnId,
    name: z.string(),
    args: z.unknown(),
    /** search_knowledge: the passages the model was given, for the client to show (never spoken). */
    sources: z.array(z.object({ title: z.string(), section: z.string(), score: z.number(), excerpt: z.string() })).optional(),
  }),
  z.object({ type: z.literal('tts_start'), turn_id: turnId, sample_rate: z.number().int() }),
  z.object({ type: z.literal('tts_end'), turn_id: turnId, sample_rate: z.number().int() }),
  z.object({ type: z.literal('response_end'), turn_id: turnId, interrupted: z.boolean(), timings: timingsSchema }),
  z.object({
    type: z.literal('error'),
    code: z.string(),
    message: z.string(),
    recoverable: z.boolean(),
    retryable: z.boolean(),
    turn_id: turnId.optional(),
  }),
  z.object({ type: z.literal('pong') }),
]);

export type ServerMessage = z.infer<typeof serverMessageSchema>;
