import { open } from 'node:fs/promises';
import { GatewayError } from '../../core/errors.ts';

const GGML_MAGIC = 0x67676d6c;
/** whisper.cpp: a vocabulary this large has the language tokens (`whisper_is_multilingual`). */
const MULTILINGUAL_VOCAB = 51865;

export interface WhisperModelInfo {
  multilingual: boolean;
}

/** Reads the header of a whisper.cpp ggml model, failing with the path when it is missing or not such a model. */
export async function readWhisperModelInfo(modelPath: string): Promise<WhisperModelInfo> {
  let header: Buffer;
  try {
    const file = await open(modelPath, 'r');
    try {
      header = Buffer.alloc(8);
      await file.read(header, 0, 8, 0);
    } finally {
      await file.close();
    }
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    const why = missing ? 'whisper model file not found' : 'whisper model file cannot be read';
    throw new GatewayError('model_not_ready', `${why}: ${modelPath}`, { cause: err });
  }
  if (header.readUInt32LE(0) !== GGML_MAGIC) {
    throw new GatewayError('model_not_ready', `not a whisper.cpp ggml model file: ${modelPath}`);
  }
  return { multilingual: header.readInt32LE(4) >= MULTILINGUAL_VOCAB };
}
