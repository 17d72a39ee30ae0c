import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { castTo, encodeModel, FLOAT, intAttribute, INT64, node, type onnx, scalar, valueInfo } from './onnx-graph.ts';

/** At speed 1, each input id (pads included) becomes this many samples: audio length = ids * this / speed. */
export const SAMPLES_PER_TOKEN = 100;
/** The tone of a sample: BASE_HZ + id * HZ_PER_ID. */
export const BASE_HZ = 100;
export const HZ_PER_ID = 5;
const SAMPLE_RATE_HZ = 24_000;
const ROWS = 510;
const STYLE_DIM = 256;

/**
 * The amplitude a test voice speaks with at a style row: the mean of the row, which the model uses as its volume.
 * Voice `index` of a pack has rows of 0.1 * (index + 1) plus row / 10000, so voices and rows can be told apart.
 */
export function testStyleValue(index: number, row: number): number {
  return 0.1 * (index + 1) + row / 10_000;
}

export interface TestKokoroOptions {
  /** The ids input's name: onnx-community's export says `input_ids`, kokoro-onnx's `tokens`. */
  idsInput?: 'input_ids' | 'tokens';
  /** Voices in the pack, in order. */
  voices?: string[];
}

export const DEFAULT_TEST_VOICES = ['af_heart', 'af_bella', 'af_sarah', 'am_adam', 'am_michael', 'bf_emma', 'bf_isabella', 'bm_george', 'bm_lewis', 'ef_dora', 'ff_siwis', 'zf_xiaobei'];

/**
 * Writes a small Kokoro model (`kokoro-test.onnx`) and voice pack (`voices-test.bin`, a NumPy .npz of float32
 * [510, 1, 256] arrays like kokoro-onnx's) into `dir`. The model has Kokoro's exact inputs and output and really
 * depends on them: one tone per input id, SAMPLES_PER_TOKEN / speed samples long, pitched by the id, as loud as the
 * style row's mean.
 */
export async function writeTestKokoro(dir: string, options: TestKokoroOptions = {}): Promise<{ modelPath: string; voicePackPath: string }> {
  await mkdir(dir, { recursive: true });
  const modelPath = join(dir, 'kokoro-test.onnx');
  const voicePackPath = join(dir, 'voices-test.bin');
  await writeFile(modelPath, buildToneModel(options.idsInput ?? 'input_ids'));
  const zip = new AdmZip();
  for (const [index, name] of (options.voices ?? DEFAULT_TEST_VOICES).entries()) zip.addFile(`${name}.npy`, styleNpy(index));
  await writeFile(voicePackPath, zip.toBuffer());
  return { modelPath, voicePackPath };
}

/** One voice as onnx-community ships it (`voices/<name>.bin`): raw float32 [510, 256], pack index `index`. */
export async function writeRawTestVoice(dir: string, name: string, index: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.bin`);
  await writeFile(path, Buffer.from(styles(index).buffer));
  return path;
}

function styles(index: number): Float32Array {
  const data = new Float32Array(ROWS * STYLE_DIM);
  for (let row = 0; row < ROWS; row++) data.fill(testStyleValue(index, row), row * STYLE_DIM, (row + 1) * STYLE_DIM);
  return data;
}

/** numpy.lib.format 1.0: magic, version, header length, a dict literal padded to 64 bytes, the data. */
function styleNpy(index: number): Buffer {
  const data = styles(index);
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${ROWS}, 1, ${STYLE_DIM}), }`;
  header = header.padEnd(Math.ceil((10 + header.length + 1) / 64) * 64 - 10 - 1, ' ') + '\n';
  const preamble = Buffer.alloc(10);
  preamble.write('\x93NUMPY', 0, 'latin1');
  preamble[6] = 1;
  preamble[7] = 0;
  preamble.writeUInt16LE(header.length, 8);
  return Buffer.concat([preamble, Buffer.from(header, 'latin1'), Buffer.from(data.buffer)]);
}

const keepDims = (keep: number): onnx.IAttributeProto => intAttribute('keepdims', keep);

function buildToneModel(idsInput: string): Uint8Array {
  const nodes: onnx.INodeProto[] = [
    node('Squeeze', [idsInput, 'axis0'], 'ids'),
    node('Shape', ['ids'], 'count'),
    node('Cast', ['count'], 'count_f', [castTo(FLOAT)]),
    node('Div', ['samples_per_token', 'speed'], 'per_id'),
    node('Mul', ['count_f', 'per_id'], 'total'),
    node('Floor', ['total'], 'total_whole'),
    node('Squeeze', ['total_whole', 'axis0'], 'total_scalar'),
    node('Range', ['zero', 'total_scalar', 'one'], 't'),
    node('Div', ['t', 'per_id'], 'position'),
    node('Floor', ['position'], 'position_whole'),
    node('Cast', ['position_whole'], 'id_index', [castTo(INT64)]),
    node('Cast', ['ids'], 'ids_f', [castTo(FLOAT)]),
    node('Gather', ['ids_f', 'id_index'], 'sample_id'),
    node('Mul', ['sample_id', 'hz_per_id'], 'id_hz'),
    node('Add', ['id_hz', 'base_hz'], 'tone_hz'),
    node('Mul', ['t', 'tone_hz'], 'cycles_x_rate'),
    node('Mul', ['cycles_x_rate', 'radians_per_sample_hz'], 'angle'),
    node('Sin', ['angle'], 'wave'),
    node('ReduceMean', ['style'], 'loudness', [keepDims(0)]),
    node('Mul', ['wave', 'loudness'], 'waveform'),
  ];
  return encodeModel({
    name: 'kokoro_tone',
    node: nodes,
    input: [valueInfo(idsInput, INT64, [1, 'tokens']), valueInfo('style', FLOAT, [1, STYLE_DIM]), valueInfo('speed', FLOAT, [1])],
    output: [valueInfo('waveform', FLOAT, ['samples'])],
    initializer: [
      { name: 'axis0', dataType: INT64, dims: [1], int64Data: [0] },
      scalar('zero', 0),
      scalar('one', 1),
      scalar('samples_per_token', SAMPLES_PER_TOKEN),
      scalar('base_hz', BASE_HZ),
      scalar('hz_per_id', HZ_PER_ID),
      scalar('radians_per_sample_hz', (2 * Math.PI) / SAMPLE_RATE_HZ),
    ],
  });
}
