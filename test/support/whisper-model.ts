/**
 * Inputs for whisper tests: the fixture audio, the fixture models, and a tiny whisper.cpp model (legacy ggml layout) that runs the whole whisper.cpp code path — mel, encoder,
 * decoder, sampling — in milliseconds and always says a chosen phrase.
 *
 * Layout (whisper.cpp `whisper_model_load`): magic 'ggml', 11 int32 hparams, mel filters, vocabulary, then
 * tensors as { n_dims, name_len, type, ne[n_dims], name, data }. The mel filters and vocabulary are copied from
 * a template model file (a real one or the `*-empty.bin` fixtures); the tensors are ours, all float32.
 *
 * How it says the phrase: every block's output projections are zero, so the residual stream entering the final
 * layer norm is `token_embedding[previous] + positional_embedding[position]`. The positional embedding at the
 * position that predicts the k-th phrase token is a large multiple of a direction d_k, and that token's
 * embedding (tied with the output projection) is a multiple of d_k, so greedy decoding emits the phrase token
 * by token and then end-of-text, whatever the audio. Two decoder layers make whisper.cpp treat the model as a
 * "distilled" one and decode without timestamps, which keeps the sequence fixed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES_DIR, readWav } from './wav.ts';

export const EMPTY_TINY_EN_MODEL = `${FIXTURES_DIR}ggml-tiny.en-empty.bin`;
export const EMPTY_TINY_MODEL = `${FIXTURES_DIR}ggml-tiny-empty.bin`;
export const JFK_WAV = `${FIXTURES_DIR}jfk.wav`;
export const ORDER_STATUS_WAV = `${FIXTURES_DIR}order-status-en-16k.wav`;

/** The samples of a 16 kHz mono PCM16 WAV file. */
export async function readPcm16Mono16k(path: string): Promise<Int16Array> {
  const wav = readWav(path);
  if (wav.sampleRateHz !== 16_000 || wav.channels !== 1) throw new Error(`not 16 kHz mono PCM16: ${path}`);
  return wav.samples;
}

const GGML_MAGIC = 0x67676d6c;
const HPARAMS_BYTES = 4 + 11 * 4;
const N_STATE = 64;
const N_HEAD = 2;
const N_TEXT_CTX = 64;
// 3 s of encoder context instead of 30 s: the encoder runs in milliseconds, and its output is unused anyway.
const N_AUDIO_CTX = 150;
/** Large enough that the position dominates the layer norm input, small enough to keep float32 exact-ish. */
const POSITION_GAIN = 1000;
const TOKEN_GAIN = 10;
/** whisper.cpp's base ids for end-of-text; multilingual vocabularies shift it by one. */
const EOT_ENGLISH = 50256;

export interface TinyWhisperModelOptions {
  /** Directory to write the model into (a test's temp dir). */
  dir: string;
  /** What the model says; tokenised greedily against the template's vocabulary (ASCII is safe; some symbols are not). */
  phrase: string;
  /** A whisper.cpp model file to take mel filters and vocabulary from. Defaults to the tiny.en fixture. */
  templatePath?: string;
}

interface Template {
  nVocab: number;
  nMels: number;
  /** Mel filters and vocabulary, byte for byte. */
  filtersAndVocab: Buffer;
  tokens: string[];
}

/** Writes the model and returns its path. */
export async function writeTinyWhisperModel(options: TinyWhisperModelOptions): Promise<string> {
  const template = parseTemplate(await readFile(options.templatePath ?? EMPTY_TINY_EN_MODEL));
  const multilingual = template.nVocab >= 51865;
  const eot = multilingual ? EOT_ENGLISH + 1 : EOT_ENGLISH;
  // The prompt is [sot, not] (English-only) or [sot, lang, transcribe, not]; its last position predicts token 1.
  const firstPosition = multilingual ? 3 : 1;
  const sequence = [...tokenize(options.phrase, template.tokens), eot];
  if (firstPosition + sequence.length > N_TEXT_CTX || sequence.length > N_STATE / 2) {
    throw new Error(`phrase too long for the tiny model: ${options.phrase}`);
  }

  const tokenEmbedding = new Float32Array(template.nVocab * N_STATE);
  const positionalEmbedding = new Float32Array(N_TEXT_CTX * N_STATE);
  sequence.forEach((token, k) => {
    // d_k = e_2k - e_2k+1: orthogonal to the other directions and zero-mean, so layer norm keeps it.
    for (const [dim, sign] of [[2 * k, 1], [2 * k + 1, -1]] as const) {
      tokenEmbedding[token * N_STATE + dim] = (tokenEmbedding[token * N_STATE + dim] ?? 0) + sign * TOKEN_GAIN;
      positionalEmbedding[(firstPosition + k) * N_STATE + dim] = sign * POSITION_GAIN;
    }
  });

  const parts: Buffer[] = [header(template), template.filtersAndVocab];
  for (const [name, shape, data] of tensors(template, tokenEmbedding, positionalEmbedding)) {
    parts.push(tensorRecord(name, shape, data));
  }
  const path = join(options.dir, 'ggml-tiny-test.bin');
  await writeFile(path, Buffer.concat(parts));
  return path;
}

function parseTemplate(file: Buffer): Template {
  if (file.readUInt32LE(0) !== GGML_MAGIC) throw new Error('template is not a ggml whisper model');
  const nVocab = file.readInt32LE(4);
  const nMels = file.readInt32LE(4 + 9 * 4);
  let offset = HPARAMS_BYTES;
  const filterMels = file.readInt32LE(offset);
  const filterFft = file.readInt32LE(offset + 4);
  offset += 8 + filterMels * filterFft * 4;
  const storedTokens = file.readInt32LE(offset);
  offset += 4;
  const tokens: string[] = [];
  for (let i = 0; i < storedTokens; i++) {
    const length = file.readUInt32LE(offset);
    tokens.push(file.toString('latin1', offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return { nVocab, nMels, filtersAndVocab: file.subarray(HPARAMS_BYTES, offset), tokens };
}

/** Greedy longest match over the vocabulary's bytes (not BPE, but any split decodes to the same text). */
function tokenize(phrase: string, vocabulary: string[]): number[] {
  const ids = new Map(vocabulary.map((token, id) => [token, id] as const));
  const bytes = Buffer.from(phrase, 'utf8').toString('latin1');
  const result: number[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.length;
    while (end > start && !ids.has(bytes.slice(start, end))) end--;
    if (end === start) throw new Error(`no token for ${JSON.stringify(bytes.slice(start))}`);
    result.push(ids.get(bytes.slice(start, end))!);
    start = end;
  }
  return result;
}

function header(template: Template): Buffer {
  const nAudioLayer = 1;
  const nTextLayer = 2;
  const ftypeF32 = 0;
  const values = [
    template.nVocab, N_AUDIO_CTX, N_STATE, N_HEAD, nAudioLayer,
    N_TEXT_CTX, N_STATE, N_HEAD, nTextLayer, template.nMels, ftypeF32,
  ];
  const buffer = Buffer.alloc(HPARAMS_BYTES);
  buffer.writeUInt32LE(GGML_MAGIC, 0);
  values.forEach((value, i) => buffer.writeInt32LE(value, 4 + i * 4));
  return buffer;
}

type TensorSpec = [name: string, shape: number[], data?: Float32Array];

/** Every tensor whisper.cpp expects, shapes in ggml order (ne0 first); absent data means zeros. */
function tensors(template: Template, tokenEmbedding: Float32Array, positionalEmbedding: Float32Array): TensorSpec[] {
  const s = N_STATE;
  const ones = new Float32Array(s).fill(1);
  const list: TensorSpec[] = [
    ['encoder.positional_embedding', [s, N_AUDIO_CTX]],
    ['encoder.conv1.weight', [3, template.nMels, s]],
    ['encoder.conv1.bias', [1, s]],
    ['encoder.conv2.weight', [3, s, s]],
    ['encoder.conv2.bias', [1, s]],
    ['encoder.ln_post.weight', [s], ones],
    ['encoder.ln_post.bias', [s]],
    ...block('encoder.blocks.0', 'attn'),
    ['decoder.positional_embedding', [s, N_TEXT_CTX], positionalEmbedding],
    ['decoder.token_embedding.weight', [s, template.nVocab], tokenEmbedding],
    ['decoder.ln.weight', [s], ones],
    ['decoder.ln.bias', [s]],
  ];
  for (const layer of [0, 1]) {
    list.push(...block(`decoder.blocks.${layer}`, 'attn'), ...attention(`decoder.blocks.${layer}`, 'cross_attn'));
  }
  return list;
}

function block(prefix: string, attn: string): TensorSpec[] {
  const s = N_STATE;
  return [
    [`${prefix}.mlp_ln.weight`, [s]],
    [`${prefix}.mlp_ln.bias`, [s]],
    [`${prefix}.mlp.0.weight`, [s, 4 * s]],
    [`${prefix}.mlp.0.bias`, [4 * s]],
    [`${prefix}.mlp.2.weight`, [4 * s, s]],
    [`${prefix}.mlp.2.bias`, [s]],
    ...attention(prefix, attn),
  ];
}

function attention(prefix: string, attn: string): TensorSpec[] {
  const s = N_STATE;
  return [
    [`${prefix}.${attn}_ln.weight`, [s]],
    [`${prefix}.${attn}_ln.bias`, [s]],
    [`${prefix}.${attn}.query.weight`, [s, s]],
    [`${prefix}.${attn}.query.bias`, [s]],
    [`${prefix}.${attn}.key.weight`, [s, s]],
    [`${prefix}.${attn}.value.weight`, [s, s]],
    [`${prefix}.${attn}.value.bias`, [s]],
    [`${prefix}.${attn}.out.weight`, [s, s]],
    [`${prefix}.${attn}.out.bias`, [s]],
  ];
}

function tensorRecord(name: string, shape: number[], data?: Float32Array): Buffer {
  const elements = shape.reduce((a, b) => a * b, 1);
  const nameBytes = Buffer.from(name, 'utf8');
  const head = Buffer.alloc(12 + 4 * shape.length);
  head.writeInt32LE(shape.length, 0);
  head.writeInt32LE(nameBytes.length, 4);
  head.writeInt32LE(0, 8); // GGML_TYPE_F32
  shape.forEach((dim, i) => head.writeInt32LE(dim, 12 + 4 * i));
  const body = data ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.alloc(elements * 4);
  return Buffer.concat([head, nameBytes, body]);
}
