import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { castTo, encodeModel, FLOAT, INT64, node, type onnx, scalar, valueInfo } from './onnx-graph.ts';

/** At length_scale 1, each input id becomes this many samples: audio length = ids * this * length_scale. */
export const SAMPLES_PER_ID = 64;
/** The tone of a sample: BASE_HZ + id * HZ_PER_ID + speaker * HZ_PER_SPEAKER. */
export const BASE_HZ = 100;
export const HZ_PER_ID = 20;
export const HZ_PER_SPEAKER = 50;

/**
 * Every symbol espeak-ng's English IPA produced for a broad English text (pangrams, all lexical sets, numbers,
 * abbreviations), plus a few close relatives; the test beside this file re-checks the list against `phonemizer`.
 */
export const ENGLISH_IPA = [
  ...'abdefhijklmnoprstuvwxzæðŋɐɑɒɔəɚɛɜɡɪɹɾʃʊʌʒʔˈˌːθᵻ',
  '\u0329', // syllabic mark, as in "button" (bˈʌʔn̩)
];

/**
 * What espeak-ng gives for Mandarin under `cmn`: IPA with tone digits, and English words between `(en)`/`(cmn)`
 * flags (the flags are removed by the engine). Older espeak-ng releases (Debian 12's 1.51) read Hanzi as pinyin
 * spelled in English; the English symbols cover that too.
 */
export const MANDARIN_IPA = [...new Set([...ENGLISH_IPA, ...'cy12345ɕʐχ.-', '\u032a'])];

const PUNCTUATION = [' ', '!', "'", ',', '-', '.', ':', ';', '?'];

export interface TestVoiceOptions {
  /** Names of a multi-speaker voice; the model then takes `sid`. Single-speaker when absent. */
  speakers?: string[];
  language?: 'en-us' | 'cmn';
  sampleRateHz?: number;
  /** Written into the config's `inference` section. */
  inference?: { noise_scale: number; length_scale: number; noise_w: number };
}

/**
 * Writes a small Piper-format voice (`test-voice.onnx` and `test-voice.onnx.json`) into `dir`. The model has
 * Piper's exact inputs and output and really depends on them: it plays one tone per input id, each
 * SAMPLES_PER_ID * length_scale samples long, pitched by the id (and the speaker), with amplitude noise_scale
 * and phase noise_w.
 */
export async function writeTestVoice(
  dir: string,
  options: TestVoiceOptions = {},
): Promise<{ onnxPath: string; configPath: string }> {
  const speakers = options.speakers ?? [];
  const sampleRateHz = options.sampleRateHz ?? 22_050;
  const symbols = options.language === 'cmn' ? MANDARIN_IPA : ENGLISH_IPA;
  const phonemeIdMap: Record<string, number[]> = { _: [0], '^': [1], $: [2] };
  for (const symbol of [...PUNCTUATION, ...symbols]) {
    if (!(symbol in phonemeIdMap)) phonemeIdMap[symbol] = [Object.keys(phonemeIdMap).length];
  }
  const config = {
    audio: { sample_rate: sampleRateHz, quality: 'x_low' },
    espeak: { voice: options.language ?? 'en-us' },
    inference: options.inference ?? { noise_scale: 0.667, length_scale: 1, noise_w: 0.8 },
    phoneme_type: 'espeak',
    phoneme_map: {},
    phoneme_id_map: phonemeIdMap,
    num_symbols: Object.keys(phonemeIdMap).length,
    num_speakers: Math.max(1, speakers.length),
    speaker_id_map: Object.fromEntries(speakers.map((name, id) => [name, id])),
    piper_version: '1.0.0',
  };
  await mkdir(dir, { recursive: true });
  const onnxPath = join(dir, 'test-voice.onnx');
  const configPath = `${onnxPath}.json`;
  await writeFile(onnxPath, buildToneModel(sampleRateHz, speakers.length > 1));
  await writeFile(configPath, JSON.stringify(config, null, 2));
  return { onnxPath, configPath };
}

function buildToneModel(sampleRateHz: number, multiSpeaker: boolean): Uint8Array {
  const nodes: onnx.INodeProto[] = [
    node('Gather', ['scales', 'i0'], 'noise_scale'),
    node('Gather', ['scales', 'i1'], 'length_scale'),
    node('Gather', ['scales', 'i2'], 'noise_w'),
    node('Cast', ['input_lengths'], 'length_f', [castTo(FLOAT)]),
    node('Squeeze', ['length_f', 'axis0'], 'length'),
    node('Mul', ['samples_per_id', 'length_scale'], 'per_id'),
    node('Mul', ['length', 'per_id'], 'total'),
    node('Floor', ['total'], 'total_whole'),
    node('Range', ['zero', 'total_whole', 'one'], 't'),
    node('Div', ['t', 'per_id'], 'position'),
    node('Floor', ['position'], 'position_whole'),
    node('Cast', ['position_whole'], 'id_index', [castTo(INT64)]),
    node('Squeeze', ['input', 'axis0'], 'ids'),
    node('Cast', ['ids'], 'ids_f', [castTo(FLOAT)]),
    node('Gather', ['ids_f', 'id_index'], 'sample_id'),
    node('Mul', ['sample_id', 'hz_per_id'], 'id_hz'),
    node('Add', ['id_hz', 'base_hz'], 'tone_hz'),
  ];
  let hz = 'tone_hz';
  if (multiSpeaker) {
    nodes.push(
      node('Cast', ['sid'], 'sid_f', [castTo(FLOAT)]),
      node('Squeeze', ['sid_f', 'axis0'], 'speaker'),
      node('Mul', ['speaker', 'hz_per_speaker'], 'speaker_hz'),
      node('Add', ['tone_hz', 'speaker_hz'], 'speaker_tone_hz'),
    );
    hz = 'speaker_tone_hz';
  }
  nodes.push(
    node('Mul', ['t', hz], 'cycles_x_rate'),
    node('Mul', ['cycles_x_rate', 'radians_per_sample_hz'], 'angle'),
    node('Add', ['angle', 'noise_w'], 'phase'),
    node('Sin', ['phase'], 'wave'),
    node('Mul', ['wave', 'noise_scale'], 'scaled'),
    node('Reshape', ['scaled', 'output_shape'], 'output'),
  );
  const inputs = [
    valueInfo('input', INT64, [1, 'phonemes']),
    valueInfo('input_lengths', INT64, [1]),
    valueInfo('scales', FLOAT, [3]),
  ];
  const initializer = [
    scalar('i0', 0, INT64),
    scalar('i1', 1, INT64),
    scalar('i2', 2, INT64),
    { name: 'axis0', dataType: INT64, dims: [1], int64Data: [0] },
    { name: 'output_shape', dataType: INT64, dims: [4], int64Data: [1, 1, 1, -1] },
    scalar('zero', 0, FLOAT),
    scalar('one', 1, FLOAT),
    scalar('samples_per_id', SAMPLES_PER_ID, FLOAT),
    scalar('base_hz', BASE_HZ, FLOAT),
    scalar('hz_per_id', HZ_PER_ID, FLOAT),
    scalar('radians_per_sample_hz', (2 * Math.PI) / sampleRateHz, FLOAT),
  ];
  if (multiSpeaker) {
    inputs.push(valueInfo('sid', INT64, [1]));
    initializer.push(scalar('hz_per_speaker', HZ_PER_SPEAKER, FLOAT));
  }
  return encodeModel({ name: 'piper_tone', node: nodes, input: inputs, output: [valueInfo('output', FLOAT, [1, 1, 1, 'samples'])], initializer });
}
