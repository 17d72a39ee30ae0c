import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fixtureBytes, fixtureCatalog, fixtureFile, startModelServer, type ModelServer } from '../../test/support/model-server.ts';
import { terminalProgress } from './progress.ts';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
const asr = fixtureBytes(1024 * 1024);
const voice = fixtureBytes(200 * 1024);
const voiceJson = Buffer.from('{}');
const catalog = fixtureCatalog([
  { name: 'base', kind: 'asr', description: 'fixture asr', files: [fixtureFile('ggml-base.bin', asr)] },
  { name: 'en_US-test-medium', kind: 'tts', description: 'fixture voice', files: [fixtureFile('en_US-test-medium.onnx', voice), fixtureFile('en_US-test-medium.onnx.json', voiceJson)] },
]);
let server: ModelServer;
let work: string;
let catalogPath: string;

before(async () => {
  server = await startModelServer(new Map([['ggml-base.bin', asr], ['en_US-test-medium.onnx', voice], ['en_US-test-medium.onnx.json', voiceJson]]));
  work = await mkdtemp(join(tmpdir(), 's2s-models-cli-'));
  catalogPath = join(work, 'catalog.json');
  await writeFile(catalogPath, JSON.stringify(catalog));
});
after(async () => {
  await server.close();
  await rm(work, { recursive: true });
});

/** Runs the CLI as a user would (stdout and stderr are pipes, not a terminal). */
function models(dir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('S2S_')));
  Object.assign(env, { S2S_MODELS_DIR: dir, S2S_MODELS_MIRROR: server.mirror, S2S_TTS_VOICE: 'en_US-test-medium', S2S_TTS_VOICES_BY_LANG: '{}' });
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, '--catalog', catalogPath, ...args], { env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('list, fetch with plain progress lines, list again, verify, and a corrupted file failing verify', async () => {
  const dir = join(work, 'models');
  const listed = await models(dir, 'list');
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /\* base\s+asr\s+1\.0 MiB\s+not installed/);
  assert.match(listed.stdout, /\* en_US-test-medium\s+tts\s+200\.0 KiB\s+not installed/);

  const fetched = await models(dir, 'fetch', 'base', 'en_US-test-medium');
  assert.equal(fetched.code, 0, fetched.stderr);
  const lines = fetched.stderr.split('\n');
  assert.ok(lines.some((l) => l.startsWith('model download started file=ggml-base.bin totalBytes=1048576 resumedBytes=0')), fetched.stderr);
  const percents = lines.filter((l) => l.startsWith('model download progress file=ggml-base.bin')).map((l) => Number(/percent=(\d+)/.exec(l)?.[1]));
  assert.ok(percents.length >= 3 && percents.length <= 9, `one line per 10 %: ${percents.join(', ')}`);
  assert.deepEqual(percents, [...percents].sort((a, b) => a - b));
  assert.equal(lines.filter((l) => l.startsWith('model downloaded and verified')).length, 3);
  assert.deepEqual(await readFile(join(dir, 'ggml-base.bin')), asr);

  const relisted = await models(dir, 'list');
  assert.match(relisted.stdout, /\* base\s+asr\s+1\.0 MiB\s+installed/);

  const verified = await models(dir, 'verify');
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.equal(verified.stdout.split('\n').filter((l) => l.startsWith('ok ')).length, 3);

  const corrupted = Buffer.from(asr);
  corrupted[1000] = (corrupted[1000] ?? 0) ^ 0xff;
  await writeFile(join(dir, 'ggml-base.bin'), corrupted);
  const failed = await models(dir, 'verify', 'base');
  assert.equal(failed.code, 1);
  assert.match(failed.stdout, new RegExp(`MISMATCH  base: .*ggml-base\\.bin sha256 expected ${catalog.models[0]?.files[0]?.sha256}, got [0-9a-f]{64}`));
  assert.match(failed.stderr, /error: 1 file missing or failed verification/);
});

test('verify with nothing installed reports every configured model as missing, naming its setting, and exits 1', async () => {
  const dir = join(work, 'empty');
  const result = await models(dir, 'verify');
  assert.equal(result.code, 1);
  assert.match(result.stdout, /^MISSING {3}base: .*ggml-base\.bin \(configured as asr\.model \(S2S_ASR_MODEL\)\)$/m);
  assert.match(result.stdout, /^MISSING {3}en_US-test-medium: .*en_US-test-medium\.onnx \(configured as tts\.voice \(S2S_TTS_VOICE\)\)$/m);
  assert.match(result.stderr, /error: 3 files missing or failed verification/);
});

test('verify names a configured explicit path that does not exist', async () => {
  const result = await models(join(work, 'empty'), 'verify', '--config', await configFile('asr:\n  model: /nonexistent/ggml-large.bin\n'));
  assert.equal(result.code, 1);
  assert.match(result.stdout, /^MISSING {3}\/nonexistent\/ggml-large\.bin \(configured as asr\.model \(S2S_ASR_MODEL\)\)$/m);
});

async function configFile(text: string): Promise<string> {
  const path = join(work, `config-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(path, text);
  return path;
}

test('fetch of an unknown name exits 1 naming the known ones', async () => {
  const result = await models(join(work, 'other'), 'fetch', 'huge-v9');
  assert.equal(result.code, 1);
  assert.match(result.stderr, /error: "huge-v9" is not a model in the catalog \(known: base, en_US-test-medium\)/);
});

test('on a terminal, progress is a bar with bytes, rate and ETA', () => {
  const out = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const progress = terminalProgress(out);
  progress({ type: 'start', file: 'ggml-base.bin', totalBytes: 4 * 1024 * 1024, resumedBytes: 1024 * 1024 });
  progress({ type: 'bytes', file: 'ggml-base.bin', receivedBytes: 2 * 1024 * 1024, totalBytes: 4 * 1024 * 1024 });
  progress({ type: 'done', file: 'ggml-base.bin' });
  assert.match(text, /ggml-base\.bin \[.*\] \d+% \| \d+\.\d MiB\/4\.0 MiB \| .*\/s \| ETA /);
});
