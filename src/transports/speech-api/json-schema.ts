import { z } from 'zod';

/** A zod schema as the JSON Schema of a route (what the OpenAPI document shows), describing the input side. */
export function jsonSchema(schema: z.ZodType, description?: string): Record<string, unknown> {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return description ? { ...json, description } : json;
}

/** The OpenAPI shape of a multipart form with one audio file and text fields. */
export function multipartSchema(fields: Record<string, Record<string, unknown>>, required: string[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: { file: { type: 'string', format: 'binary', description: 'the audio: WAV, Ogg (Opus, Vorbis), WebM (Opus), MP3 or FLAC' }, ...fields },
    required: ['file', ...required],
  };
}

export const binaryResponse = (description: string) => ({ description, type: 'string', format: 'binary' });
