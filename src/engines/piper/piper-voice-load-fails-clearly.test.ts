import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { writeTestVoice } from '../../../test/support/piper-voice.ts';
import { PiperVoice } from './piper-voice.ts';

let dir: string;
const options = { threads: 1, phonemizerWorkers: 1 };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'piper-load-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function notReady(...mentions: string[]): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    assert.equal(err.code, 'model_not_ready');
    for (const mention of mentions) assert.ok(err.message.includes(mention), `"${err.message}" lacks "${mention}"`);
    return true;
  };
}

/** A test voice whose config went through `edit`. */
async function voiceWithConfig(name: string, edit: (config: Record<string, unknown>) => void): Promise<string> {
  const { onnxPath, configPath } = await writeTestVoice(join(dir, name));
  const config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
  edit(config);
  await writeFile(configPath, JSON.stringify(config));
  return onnxPath;
}

test('a missing model file is named', async () => {
  const missing = join(dir, 'nowhere', 'voice.onnx');
  await assert.rejects(PiperVoice.load(missing, options), notReady(missing));
});

test('a missing config file is named', async () => {
  const { onnxPath, configPath } = await writeTestVoice(join(dir, 'no-config'));
  await unlink(configPath);
  await assert.rejects(PiperVoice.load(onnxPath, options), notReady(configPath));
});

test('a config that is not JSON is named', async () => {
  const { onnxPath, configPath } = await writeTestVoice(join(dir, 'not-json'));
  await writeFile(configPath, '{ "audio": ');
  await assert.rejects(PiperVoice.load(onnxPath, options), notReady(configPath, 'not valid JSON'));
});

test('a config without phoneme_id_map names the file and the key', async () => {
  const onnxPath = await voiceWithConfig('no-ids', (config) => delete config.phoneme_id_map);
  await assert.rejects(PiperVoice.load(onnxPath, options), notReady(`${onnxPath}.json`, 'phoneme_id_map'));
});

test('a config without a sample rate or espeak voice names the keys', async () => {
  const onnxPath = await voiceWithConfig('no-rate', (config) => {
    config.audio = {};
    delete config.espeak;
  });
  await assert.rejects(PiperVoice.load(onnxPath, options), notReady('audio.sample_rate', 'espeak'));
});

test('a phoneme_id_map without the pad symbol is refused', async () => {
  const onnxPath = await voiceWithConfig('no-pad', (config) => {
    delete (config.phoneme_id_map as Record<string, unknown>)['_'];
  });
  await assert.rejects(PiperVoice.load(onnxPath, options), notReady('phoneme_id_map', 'pad'));
});

test('a file that is not an ONNX model is named', async () => {
  const { onnxPath } = await writeTestVoice(join(dir, 'garbage'));
  await writeFile(onnxPath, 'not a model');
  await assert.rejects(PiperVoice.load(onnxPath, options), notReady(onnxPath, 'could not be loaded'));
});

test('a config claiming speakers the model cannot take (no sid input) is refused', async () => {
  const onnxPath = await voiceWithConfig('speakers-mismatch', (config) => {
    config.num_speakers = 3;
  });
  await assert.rejects(PiperVoice.load(onnxPath, options), notReady('num_speakers', 'sid'));
});

test('an espeak language no phonemizer here has is named', async () => {
  const onnxPath = await voiceWithConfig('klingon', (config) => {
    config.espeak = { voice: 'tlh-nonexistent' };
  });
  await assert.rejects(PiperVoice.load(onnxPath, options), notReady('tlh-nonexistent'));
});
