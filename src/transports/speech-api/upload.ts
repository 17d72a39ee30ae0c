import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../../core/errors.ts';

export interface Upload {
  /** The file part's bytes, or undefined when the form had none. */
  file: Buffer | undefined;
  /** Text fields; a repeated field (`x[]`, or the same name twice) keeps every value. */
  fields: Map<string, string[]>;
}

/**
 * A multipart form read whole: the file within the upload limit (larger is refused as it streams in, before any
 * decoding; @fastify/multipart is registered with that limit) and its text fields.
 */
export async function readUpload(request: FastifyRequest, fileField = 'file'): Promise<Upload> {
  if (!request.isMultipart()) throw new GatewayError('invalid_request', 'the request must be multipart/form-data');
  let file: Buffer | undefined;
  const fields = new Map<string, string[]>();
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== fileField || file !== undefined) {
        await part.toBuffer();
        throw new GatewayError('invalid_request', `one file is expected, in the "${fileField}" field`);
      }
      file = await part.toBuffer();
    } else {
      const name = part.fieldname.replace(/\[\]$/, '');
      fields.set(name, [...(fields.get(name) ?? []), String(part.value)]);
    }
  }
  return { file, fields };
}
