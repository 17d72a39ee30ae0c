import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BOOL, castTo, encodeModel, FLOAT, INT64, node, valueInfo } from './onnx-graph.ts';

/**
 * Tokens after which the test model thinks the user is not done: hesitations in English and Chinese, and digits
 * (someone dictating a phone number pauses between groups, which text rules take for a finished sentence). Each is
 * one token of the generated tokenizer.
 */
export const TEST_HESITATION_WORDS = [' and', ' um', ' so', ' that', '然后', '那个', ...'0123456789'];
/** The end-of-utterance probability after a hesitation word, and after anything else. */
export const HESITANT_PROBABILITY = 1 / (1 + Math.exp(6));
export const DONE_PROBABILITY = 1 / (1 + Math.exp(-2));
/** languages.json of the test model: English and Chinese, tuned like LiveKit's (a low "unlikely" threshold). */
export const TEST_THRESHOLDS = { en: { threshold: 0.05 }, zh: { threshold: 0.05 } };

/**
 * GPT-2's byte-to-character map, which byte-level BPE tokenizers (Qwen2.5's, so LiveKit's) use: printable bytes
 * stand for themselves, the rest get characters from 256 up, so "Ġ" is a space and "Ċ" a newline.
 */
function byteLevelChars(): string[] {
  const chars: string[] = [];
  let next = 256;
  for (let byte = 0; byte < 256; byte++) {
    const printable = (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || byte >= 174;
    chars.push(String.fromCodePoint(printable ? byte : next++));
  }
  return chars;
}

/**
 * A byte-level BPE tokenizer.json in Qwen2.5's format: every byte a token, one merge chain per hesitation word so
 * each becomes a single token, and ChatML's `<|im_start|>` / `<|im_end|>` as special added tokens.
 */
function tokenizerJson(): { json: object; imStartId: number; hesitationIds: number[] } {
  const chars = byteLevelChars();
  const vocab: Record<string, number> = {};
  for (const char of chars) vocab[char] = Object.keys(vocab).length;
  const merges: string[] = [];
  const hesitationIds = TEST_HESITATION_WORDS.map((word) => {
    const symbols = [...Buffer.from(word, 'utf8')].map((byte) => chars[byte] as string);
    let merged = symbols[0] as string;
    for (const symbol of symbols.slice(1)) {
      merges.push(`${merged} ${symbol}`);
      merged += symbol;
      vocab[merged] ??= Object.keys(vocab).length;
    }
    return vocab[merged] as number;
  });
  const imStartId = Object.keys(vocab).length;
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(imStartId, '<|im_start|>'), special(imStartId + 1, '<|im_end|>')],
    normalizer: { type: 'NFC' },
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges },
  };
  return { json, imStartId, hesitationIds };
}

/**
 * LiveKit's signature, `input_ids` int64 [batch, tokens] -> `prob` float [batch, tokens], computed from the ids:
 * each position's probability is low after a hesitation token and high after any other, and 0 everywhere unless
 * the input starts with `<|im_start|>` (the ChatML framing the real model was trained on).
 */
function turnDetectorModel(vocabSize: number, imStartId: number, hesitationIds: number[]): Uint8Array {
  const logits = new Array<number>(vocabSize).fill(2);
  for (const id of hesitationIds) logits[id] = -6;
  const nodes = [
    node('Gather', ['logit_by_token', 'input_ids'], 'logits'),
    node('Sigmoid', ['logits'], 'p'),
    node('Slice', ['input_ids', 'zero', 'one', 'one'], 'first_id'),
    node('Equal', ['first_id', 'im_start'], 'framed'),
    node('Cast', ['framed'], 'framed_f', [castTo(FLOAT)]),
    node('Mul', ['p', 'framed_f'], 'prob'),
  ];
  return encodeModel({
    name: 'turn_detector',
    node: nodes,
    input: [valueInfo('input_ids', INT64, ['batch', 'tokens'])],
    output: [valueInfo('prob', FLOAT, ['batch', 'tokens'])],
    initializer: [
      { name: 'logit_by_token', dataType: FLOAT, dims: [vocabSize], floatData: logits },
      { name: 'zero', dataType: INT64, dims: [1], int64Data: [0] },
      { name: 'one', dataType: INT64, dims: [1], int64Data: [1] },
      { name: 'im_start', dataType: INT64, dims: [1, 1], int64Data: [imStartId] },
    ],
    valueInfo: [valueInfo('framed', BOOL, ['batch', 1])],
  });
}

/**
 * Writes `turn-detector-test.onnx` with its `.tokenizer.json` and `.languages.json` beside it, as the catalog's
 * files lie in models.dir. Returns the model's path.
 */
export async function writeTestTurnDetector(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const modelPath = join(dir, 'turn-detector-test.onnx');
  const { json, imStartId, hesitationIds } = tokenizerJson();
  await writeFile(`${modelPath}.tokenizer.json`, JSON.stringify(json));
  await writeFile(`${modelPath}.languages.json`, JSON.stringify(TEST_THRESHOLDS));
  await writeFile(modelPath, turnDetectorModel(imStartId + 2, imStartId, hesitationIds));
  return modelPath;
}
