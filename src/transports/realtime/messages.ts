import { z } from 'zod';

/**
 * The Realtime API's client events, as this gateway takes them: both the current (GA) shapes and the earlier beta
 * ones where they differ. Fields the gateway does not use (tracing, include, max_output_tokens, ...) are accepted
 * and ignored, as the hosted API's clients send them routinely.
 */

const eventId = z.string().max(512).optional();

/** GA: `{type: 'audio/pcm', rate}`, `{type: 'audio/pcmu'}`, `{type: 'audio/pcma'}`. */
const gaAudioFormat = z.looseObject({
  type: z.enum(['audio/pcm', 'audio/pcmu', 'audio/pcma']),
  rate: z.number().int().min(8_000).max(48_000).optional(),
});
/** Beta: a name. */
const betaAudioFormat = z.enum(['pcm16', 'g711_ulaw', 'g711_alaw']);

const turnDetection = z
  .looseObject({
    // semantic_vad: the silence follows how finished the transcript looks (the gateway's turn detector).
    type: z.enum(['server_vad', 'semantic_vad']),
    eagerness: z.enum(['low', 'medium', 'high', 'auto']).optional(),
    threshold: z.number().min(0).max(1).optional(),
    prefix_padding_ms: z.number().int().min(0).max(5_000).optional(),
    silence_duration_ms: z.number().int().min(0).max(10_000).optional(),
    create_response: z.boolean().optional(),
    interrupt_response: z.boolean().optional(),
  })
  .nullable();

const transcription = z.looseObject({ model: z.string().optional(), language: z.string().optional(), prompt: z.string().optional() }).nullable();

export const functionToolSchema = z.looseObject({
  type: z.literal('function'),
  name: z.string().min(1).max(64),
  description: z.string().max(4_096).optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
});

const modalities = z.array(z.enum(['text', 'audio'])).min(1);

export const sessionConfigSchema = z.looseObject({
  type: z.string().optional(),
  model: z.string().optional(),
  instructions: z.string().max(100_000).optional(),
  voice: z.string().min(1).max(200).optional(),
  tools: z.array(functionToolSchema).max(128).optional(),
  // GA
  output_modalities: modalities.optional(),
  audio: z
    .looseObject({
      input: z
        .looseObject({ format: gaAudioFormat.optional(), transcription: transcription.optional(), turn_detection: turnDetection.optional() })
        .optional(),
      output: z.looseObject({ format: gaAudioFormat.optional(), voice: z.string().min(1).max(200).optional() }).optional(),
    })
    .optional(),
  // Beta
  modalities: modalities.optional(),
  input_audio_format: betaAudioFormat.optional(),
  output_audio_format: betaAudioFormat.optional(),
  input_audio_transcription: transcription.optional(),
  turn_detection: turnDetection.optional(),
});

const contentPart = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  audio: z.string().optional(),
  transcript: z.string().nullable().optional(),
});

export const conversationItemSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('message'),
    id: z.string().max(64).optional(),
    role: z.enum(['user', 'assistant', 'system']),
    content: z.array(contentPart).min(1),
  }),
  z.looseObject({ type: z.literal('function_call_output'), id: z.string().max(64).optional(), call_id: z.string().min(1), output: z.string() }),
  z.looseObject({ type: z.literal('function_call'), id: z.string().max(64).optional(), call_id: z.string(), name: z.string(), arguments: z.string() }),
]);

export const clientEventSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('session.update'), event_id: eventId, session: sessionConfigSchema }),
  z.looseObject({ type: z.literal('input_audio_buffer.append'), event_id: eventId, audio: z.string() }),
  z.looseObject({ type: z.literal('input_audio_buffer.commit'), event_id: eventId }),
  z.looseObject({ type: z.literal('input_audio_buffer.clear'), event_id: eventId }),
  z.looseObject({
    type: z.literal('conversation.item.create'),
    event_id: eventId,
    previous_item_id: z.string().nullable().optional(),
    item: conversationItemSchema,
  }),
  z.looseObject({
    type: z.literal('conversation.item.truncate'),
    event_id: eventId,
    item_id: z.string(),
    content_index: z.number().int().min(0),
    audio_end_ms: z.number().int().min(0),
  }),
  z.looseObject({ type: z.literal('conversation.item.retrieve'), event_id: eventId, item_id: z.string() }),
  z.looseObject({
    type: z.literal('response.create'),
    event_id: eventId,
    response: z
      .looseObject({
        instructions: z.string().max(100_000).optional(),
        modalities: modalities.optional(),
        output_modalities: modalities.optional(),
        conversation: z.string().optional(),
        input: z.array(z.unknown()).optional(),
      })
      .optional(),
  }),
  z.looseObject({ type: z.literal('response.cancel'), event_id: eventId, response_id: z.string().optional() }),
]);

export type ClientEvent = z.infer<typeof clientEventSchema>;
export type SessionConfigUpdate = z.infer<typeof sessionConfigSchema>;
export type ConversationItemInput = z.infer<typeof conversationItemSchema>;
export type FunctionTool = z.infer<typeof functionToolSchema>;

export const CLIENT_EVENT_TYPES = clientEventSchema.options.map((o) => o.shape.type.value);

/** Events of the Realtime API this gateway knows but does not do, with the reason given to the client. */
export const UNSUPPORTED_EVENTS: Record<string, string> = {
  'conversation.item.delete':
    'deleting items is not supported: the conversation memory is the agent\'s LangGraph checkpoint, which keeps no Realtime item ids',
  'output_audio_buffer.clear': 'output_audio_buffer.clear is for WebRTC and SIP connections; over a WebSocket use response.cancel and conversation.item.truncate',
  'transcription_session.update': 'transcription-only sessions are not supported',
};
