import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { clientMessageSchema, serverMessageSchema } from './messages.ts';

/** Where the published schema lives: beside the client library, served at /client/protocol-v1.schema.json. */
export const JSON_SCHEMA_PATH = new URL('../../../client/protocol-v1.schema.json', import.meta.url);

/** Protocol v1 as JSON Schema, generated from the schemas the gateway validates every frame with. */
export function protocolJsonSchema() {
  const definition = (schema: z.ZodType, io: 'input' | 'output') => {
    const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12' });
    return rest;
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 's2s-gateway protocol v1 (/ws/s2s)',
    description:
      'Text frames are JSON objects with a `type`: ClientMessage from client to gateway, ServerMessage back. Binary frames are PCM16 little-endian audio: the microphone at the rate and channels `session_start.audio` announces, and the answer (mono, at `session_started.audio_out.sample_rate`).',
    $defs: {
      ClientMessage: definition(clientMessageSchema, 'input'),
      ServerMessage: definition(serverMessageSchema, 'output'),
    },
  };
}

export const renderJsonSchema = () => `${JSON.stringify(protocolJsonSchema(), null, 2)}\n`;

// npm run protocol-schema: rewrites the published file after a change to messages.ts.
if (import.meta.main) writeFileSync(JSON_SCHEMA_PATH, renderJsonSchema());
