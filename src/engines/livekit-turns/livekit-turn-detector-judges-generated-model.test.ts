import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { defaultSileroModelPath } from '../silero/silero-model.ts';
import { writeTestTurnDetector } from '../../../test/support/turn-detector-model.ts';
import { chatText, normalizeUtterance } from './chat-text.ts';
import { LiveKitTurnDetector } from './livekit-turn-detector.ts';

const live = () => new AbortController().signal;
let dir: string;
let modelPath: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'turn-detector-'));
  modelPath = await writeTestTurnDetector(dir);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('utterances are normalised as LiveKit trained on them: lower case, NFKC, no punctuation but apostrophes and hyphens', () => {
  assert.equal(normalizeUtterance('  Well… I don\'t KNOW, my e-mail is ＡＢＣ!  '), "well i don't know my e-mail is abc");
  assert.equal(normalizeUtterance('我想问一下，然后。'), '我想问一下然后');
  assert.equal(chatText('Where is it?'), '<|im_start|>user\nwhere is it');
  assert.equal(chatText(' ?! '), '', 'nothing to judge');
});

test('the conversation before the utterance is framed as ChatML, adjacent turns of one role joined, the last six kept', () => {
  const context = [
    { role: 'user' as const, text: 'Hi.' },
    { role: 'assistant' as const, text: 'Hello! How can I help?' },
    { role: 'assistant' as const, text: 'What is your number?' },
  ];
  assert.equal(
    chatText('555, 0123', context),
    '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello how can i help what is your number<|im_end|>\n<|im_start|>user\n555 0123',
  );
  const long = Array.from({ length: 10 }, (_, i) => ({ role: i % 2 === 0 ? ('user' as const) : ('assistant' as const), text: `turn ${i}` }));
  const framed = chatText('and now', long);
  assert.equal(framed.split('<|im_start|>').length - 1, 6);
  assert.ok(framed.startsWith('<|im_start|>assistant\nturn 5'), framed);
});

describe('the LiveKit turn detector on a generated model of its signature', () => {
  let detector: LiveKitTurnDetector;
  before(async () => {
    detector = await LiveKitTurnDetector.load(modelPath, { signal: live() });
  });
  after(async () => {
    await detector.close();
  });

  test('English and Chinese: a finished utterance is complete, a trailing hesitation is not, whatever the punctuation', async () => {
    const judge = (text: string, lang: string) => detector.assess(text, { lang, signal: live() });
    assert.equal(await judge('Where is my order?', 'en'), 'complete');
    assert.equal(await judge('I wanted to ask about my order, and.', 'en-US'), 'hesitant', 'the full tag falls back to its language');
    assert.equal(await judge('我的订单在哪里？', 'zh'), 'complete');
    assert.equal(await judge('我想问一下然后', 'zh-CN'), 'hesitant');
  });

  test('the model, not the text rules, decides: a dictated number with a full stop is not the end', async () => {
    // The rules see a sentence end; the model knows people pause between the groups of a phone number.
    assert.equal(await detector.assess('My number is 555 0123.', { lang: 'en', signal: live() }), 'hesitant');
  });

  test('a language the model was not tuned for, or none, is judged by the text rules', async () => {
    assert.equal(await detector.assess('My number is 555 0123.', { lang: 'fr', signal: live() }), 'complete');
    assert.equal(await detector.assess('My number is 555 0123.', { lang: undefined, signal: live() }), 'complete');
    assert.equal(await detector.assess('My number is 555 0123.', { lang: 'auto', signal: live() }), 'complete');
  });

  test('nothing left after normalisation keeps the configured window', async () => {
    assert.equal(await detector.assess('…', { lang: 'en', signal: live() }), 'open');
  });

  test('a judgement no longer wanted rejects with the abort', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(detector.assess('Where is my order?', { lang: 'en', signal: controller.signal }), { name: 'AbortError' });
  });
});

test('a configured threshold replaces the per-language ones', async () => {
  const strict = await LiveKitTurnDetector.load(modelPath, { threshold: 0.99, signal: live() });
  try {
    assert.equal(await strict.assess('Where is my order?', { lang: 'en', signal: live() }), 'hesitant');
  } finally {
    await strict.close();
  }
});

describe('files that are missing or wrong are model_not_ready naming the file', () => {
  const loadFails = async (path: string, message: RegExp) => {
    await assert.rejects(LiveKitTurnDetector.load(path, { signal: live() }), (err) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.code, 'model_not_ready');
      assert.match(err.message, message);
      return true;
    });
  };

  test('no languages.json beside the model', async () => {
    const lonely = join(dir, 'lonely.onnx');
    await copyFile(modelPath, lonely);
    await loadFails(lonely, /lonely\.onnx\.languages\.json/);
  });

  test('thresholds that are not probabilities', async () => {
    const odd = join(dir, 'odd.onnx');
    await copyFile(modelPath, odd);
    await writeFile(`${odd}.languages.json`, JSON.stringify({ en: { threshold: 3 } }));
    await loadFails(odd, /odd\.onnx\.languages\.json/);
  });

  test('no tokenizer beside the model', async () => {
    const untokenized = join(dir, 'untokenized.onnx');
    await copyFile(modelPath, untokenized);
    await copyFile(`${modelPath}.languages.json`, `${untokenized}.languages.json`);
    await loadFails(untokenized, /untokenized\.onnx\.tokenizer\.json/);
  });

  test('a model without the turn detector signature', async () => {
    const silero = join(dir, 'not-a-turn-detector.onnx');
    await copyFile(defaultSileroModelPath(), silero);
    await copyFile(`${modelPath}.languages.json`, `${silero}.languages.json`);
    await copyFile(`${modelPath}.tokenizer.json`, `${silero}.tokenizer.json`);
    await loadFails(silero, /not a LiveKit turn detector/);
  });
});
