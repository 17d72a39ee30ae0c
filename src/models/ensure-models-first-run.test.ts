import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { configSchema, type Config } from '../config/schema.ts';
import { GatewayError } from '../core/errors.ts';
import { downloadUrl } from './catalog.ts';
import { ensureModels } from './ensure.ts';
import { closedPort, fixtureBytes, fixtureCatalog, fixtureFile, startModelServer, type ModelServer } from '../../test/support/model-server.ts';

const asrBytes = fixtureBytes(200 * 1024);
const voiceBytes = fixtureBytes(150 * 1024);
const voiceJson = Buffer.from('{"audio":{"sample_rate":22050}}');
const zhBytes = fixtureBytes(120 * 1024);
const zhJson = Buffer.from('{"audio":{"sample_rate":22050},"espeak":{"voice":"cmn"}}');
const catalog = fixtureCatalog([
  { name: 'base', kind: 'asr', description: 'fixture asr', files: [fixtureFile('ggml-base.bin', asrBytes)] },
  { name: 'en_US-test-medium', kind: 'tts', description: 'fixture voice', files: [fixtureFile('en_US-test-medium.onnx', voiceBytes), fixtureFile('en_US-test-medium.onnx.json', voiceJson)] },
  { name: 'zh_CN-test-medium', kind: 'tts', description: 'fixture voice', files: [fixtureFile('zh_CN-test-medium.onnx', zhBytes), fixtureFile('zh_CN-test-medium.onnx.json', zhJson)] },
]);
const allFiles = catalog.models.flatMap((m) => m.files);
const quiet = { info: () => {}, warn: () => {} };
let server: ModelServer;

before(async () => {
  server = await startModelServer(new Map(allFiles.map((f, i) => [f.file, [asrBytes, voiceBytes, voiceJson, zhBytes, zhJson][i] as Buffer])));
});
after(() => server.close());

function config(dir: string, overrides: { asr?: object; tts?: object; models?: object } = {}): Config {
  return configSchema.parse({
    asr: { model: 'base', ...overrides.asr },
    tts: { voice: 'en_US-test-medium', voicesByLang: { zh: 'zh_CN-test-medium' }, ...overrides.tts },
    models: { dir, mirror: server.mirror, ...overrides.models },
  });
}

test('a first run fetches every configured catalog model from the mirror and returns their paths', async () => {
  const dir = await mkdtemp(join(tmpdir(), 's2s-models-'));
  server.requests.length = 0;
  const result = await ensureModels(config(dir), { signal: AbortSignal.timeout(20_000), catalog, log: quiet, download: { minRetryDelayMs: 5 } });

  assert.deepEqual(result, {
    base: join(dir, 'ggml-base.bin'),
    'en_US-test-medium': join(dir, 'en_US-test-medium.onnx'),
    'zh_CN-test-medium': join(dir, 'zh_CN-test-medium.onnx'),
  });
  assert.equal(server.requests.length, 5);
  assert.ok(server.requests.every((r) => r.path.startsWith('/mirror/fixture/models/resolve/')), 'the mirror keeps the upstream path');
  assert.deepEqual(await readFile(join(dir, 'zh_CN-test-medium.onnx.json')), zhJson);
  assert.deepEqual((await readdir(dir)).sort(), allFiles.map((f) => f.file).sort());

  server.requests.length = 0;
  await ensureModels(config(dir), { signal: AbortSignal.timeout(20_000), catalog, log: quiet });
  assert.equal(server.requests.length, 0, 'installed models are not fetched again');
  await rm(dir, { recursive: true });
});

test('explicit paths are used as they are and never fetched', async () => {
  const dir = await mkdtemp(join(tmpdir(), 's2s-models-'));
  await mkdir(join(dir, 'mine'));
  await writeFile(join(dir, 'mine', 'custom.bin'), 'x');
  await writeFile(join(dir, 'mine', 'voice.onnx'), 'x');
  await writeFile(join(dir, 'mine', 'voice.onnx.json'), '{}');
  server.requests.length = 0;
  const result = await ensureModels(config(join(dir, 'models'), { asr: { model: join(dir, 'mine', 'custom.bin') }, tts: { voice: join(dir, 'mine', 'voice.onnx'), voicesByLang: {} } }), { signal: AbortSignal.timeout(20_000), catalog });

  assert.deepEqual(result, { [join(dir, 'mine', 'custom.bin')]: join(dir, 'mine', 'custom.bin'), [join(dir, 'mine', 'voice.onnx')]: join(dir, 'mine', 'voice.onnx') });
  assert.equal(server.requests.length, 0);
  await rm(dir, { recursive: true });
});

test('a missing explicit path fails clearly, naming the setting and the file (its .onnx.json too)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 's2s-models-'));
  const run = ensureModels(config(dir, { asr: { model: './nowhere/ggml-x.bin' }, tts: { voice: join(dir, 'v.onnx'), voicesByLang: {} } }), { signal: AbortSignal.timeout(20_000), catalog });
  await assert.rejects(run, (err: unknown) => {
    assert.ok(err instanceof GatewayError);
    assert.match(err.message, /asr\.model \(S2S_ASR_MODEL\) = \.\/nowhere\/ggml-x\.bin: .*nowhere\/ggml-x\.bin does not exist/);
    assert.ok(err.message.includes(`${join(dir, 'v.onnx')} does not exist`));
    assert.ok(err.message.includes(`${join(dir, 'v.onnx.json')} does not exist`));
    return true;
  });
  await rm(dir, { recursive: true });
});

test('offline: one error names every missing file, the URL it comes from and the exact path to put it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 's2s-models-'));
  const mirror = `http://127.0.0.1:${await closedPort()}/models`;
  const warnings: string[] = [];
  const run = ensureModels(config(dir, { models: { mirror } }), { signal: AbortSignal.timeout(20_000), catalog, log: { info: () => {}, warn: (_f, m) => warnings.push(m) } });
  const error = await run.then(() => undefined, (err: unknown) => err);

  assert.ok(error instanceof GatewayError, String(error));
  assert.equal(error.code, 'model_not_ready');
  assert.match(error.message, /cannot reach 127\.0\.0\.1:\d+/);
  assert.match(error.message, /ECONNREFUSED/);
  for (const file of allFiles) {
    assert.ok(error.message.includes(`from: ${downloadUrl(file, mirror)}`), `${file.file} URL in:\n${error.message}`);
    assert.ok(error.message.includes(`to:   ${join(dir, file.file)}`), `${file.file} path in:\n${error.message}`);
    assert.ok(error.message.includes(`${file.file} (${file.size} bytes`), `${file.file} size in:\n${error.message}`);
  }
  assert.deepEqual(warnings, [], 'an unreachable network is not retried');
  assert.deepEqual(await readdir(dir), [], 'nothing half-written is left');
  await rm(dir, { recursive: true });
});

test('with autoFetch off, missing models are listed instead of fetched', async () => {
  const dir = await mkdtemp(join(tmpdir(), 's2s-models-'));
  server.requests.length = 0;
  await assert.rejects(ensureModels(config(dir, { models: { autoFetch: false } }), { signal: AbortSignal.timeout(20_000), catalog }), (err: unknown) => {
    assert.ok(err instanceof GatewayError);
    assert.match(err.message, /models\.autoFetch is off/);
    assert.match(err.message, /Missing 5 files/);
    return true;
  });
  assert.equal(server.requests.length, 0);
  await rm(dir, { recursive: true });
});

test('an unknown catalog name fails listing the names that exist', async () => {
  const dir = await mkdtemp(join(tmpdir(), 's2s-models-'));
  await assert.rejects(ensureModels(config(dir, { tts: { voice: 'de_DE-nobody-low' } }), { signal: AbortSignal.timeout(20_000), catalog }), /"de_DE-nobody-low" is not a voice in the catalog \(known: en_US-test-medium, zh_CN-test-medium\)/);
  await rm(dir, { recursive: true });
});
