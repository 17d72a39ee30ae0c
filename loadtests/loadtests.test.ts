import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { clientMessageSchema } from '../src/transports/v1/messages.ts';
import { readWav, FIXTURES_DIR } from '../test/support/wav.ts';
import { builders, sessionStart, textInput } from './lib/messages.js';
import { parseWav, pcmFrames, speechEndMs } from './lib/wav.js';

const HERE = new URL('.', import.meta.url).pathname;

function scripts(dir = HERE): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return scripts(path);
    return entry.name.endsWith('.js') ? [path] : [];
  });
}

function typeErrors(tsconfigPath: string): { files: string[]; errors: string[] } {
  const { config, error } = ts.readConfigFile(tsconfigPath, (p) => ts.sys.readFile(p));
  assert.equal(error, undefined);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, HERE);
  assert.deepEqual(parsed.errors, []);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const errors = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${relative(HERE, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  return { files: program.getRootFileNames().map((f) => relative(HERE, f)), errors };
}

test('the k6 scripts type-check against @types/k6', () => {
  const { files, errors } = typeErrors(join(HERE, 'tsconfig.json'));
  assert.deepEqual(errors, []);
  for (const script of scripts()) assert.ok(files.includes(relative(HERE, script)), `${script} is not type-checked`);
});

test('the shared lib modules type-check for Node too, where this test runs them', () => {
  assert.deepEqual(typeErrors(join(HERE, 'tsconfig.node.json')).errors, []);
});

// Arguments like the scripts' own, plus the edges; a new builder without samples fails this test.
const SAMPLES: Record<string, unknown[][]> = {
  sessionStart: [
    [{ lang: 'en', audio: { sampleRateHz: 16000, channels: 1 } }],
    [{ lang: 'zh', audio: { sampleRateHz: 48000, channels: 2 }, voice: 'zh_CN-huayan-medium' }],
    [{ lang: 'en' }],
  ],
  textInput: [['What is the status of order 1234?'], ['订单1234的状态是什么？']],
  interrupt: [[]],
  audioEnd: [[]],
};

test('every message the load tests can send is valid protocol v1', () => {
  assert.deepEqual(Object.keys(builders).sort(), Object.keys(SAMPLES).sort());
  for (const [name, build] of Object.entries(builders)) {
    for (const args of SAMPLES[name] ?? []) {
      const message: unknown = JSON.parse(JSON.stringify(build(...args)));
      const result = clientMessageSchema.safeParse(message);
      assert.ok(result.success, `${name}(${JSON.stringify(args)}) -> ${JSON.stringify(message)}: ${result.error?.message}`);
    }
  }
  assert.deepEqual(sessionStart({ lang: 'en', audio: { sampleRateHz: 16000, channels: 1 } }), {
    type: 'session_start',
    lang: 'en',
    audio: { sample_rate: 16000, format: 'pcm16', channels: 1 },
  });
  assert.deepEqual(textInput('hi'), { type: 'text_input', text: 'hi' });
});

test('scripts send JSON only through sendMessage with a message builder, nothing hand-written', () => {
  const builderNames = new Set(Object.keys(builders));
  for (const path of scripts()) {
    const source = readFileSync(path, 'utf8');
    const file = relative(HERE, path);
    const stringified = [...source.matchAll(/JSON\.stringify\(/gu)].length;
    if (file === join('lib', 'gateway.js')) {
      assert.equal(stringified, 1, 'gateway.js stringifies only inside sendMessage');
      assert.match(source, /export function sendMessage\(ws, message\) \{\n\s+ws\.send\(JSON\.stringify\(message\)\);\n\}/u);
      continue;
    }
    assert.equal(stringified, 0, `${file} builds JSON by hand; use lib/messages.js and sendMessage`);
    assert.doesNotMatch(source, /\.send\(\s*['"`{[]/u, `${file} sends a hand-written text frame`);
    for (const call of source.matchAll(/sendMessage\(([^;]*)\);/gu)) {
      const builder = /^\s*ws\s*,\s*([A-Za-z_$][\w$]*)\(/u.exec(call[1] ?? '')?.[1];
      assert.ok(builder !== undefined && builderNames.has(builder), `${file}: ${call[0]} does not use a message builder`);
    }
  }
});

test('the WAV reader walks RIFF chunks and matches the fixture reader', () => {
  const path = join(FIXTURES_DIR, 'order-status-en-16k.wav');
  const file = readFileSync(path);
  const audio = parseWav(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength));
  const expected = readWav(path);
  assert.equal(audio.sampleRateHz, 16000);
  assert.equal(audio.channels, 1);
  assert.deepEqual(new Int16Array(audio.pcm), expected.samples);

  // A LIST chunk of odd size (padded) before `data`, as many tools write: the samples are not at byte 44.
  const list = Buffer.concat([Buffer.from('LIST'), u32(3), Buffer.from('abc\0')]);
  const fmt = Buffer.concat([Buffer.from('fmt '), u32(16), u16(1), u16(1), u32(8000), u32(16000), u16(2), u16(16)]);
  const data = Buffer.concat([Buffer.from('data'), u32(4), u16(1234), u16(65535)]);
  const body = Buffer.concat([Buffer.from('WAVE'), fmt, list, data]);
  const wav = Buffer.concat([Buffer.from('RIFF'), u32(body.length), body]);
  const parsed = parseWav(wav.buffer.slice(wav.byteOffset, wav.byteOffset + wav.byteLength));
  assert.deepEqual([...new Int16Array(parsed.pcm)], [1234, -1]);
  assert.throws(() => parseWav(new ArrayBuffer(8)));
});

test('audio is framed in 20 ms PCM16 frames and the end of speech is found in the file', () => {
  const path = join(FIXTURES_DIR, 'two-turns-en-16k.wav');
  const file = readFileSync(path);
  const audio = parseWav(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength));
  const frames = pcmFrames(audio, 20);
  assert.ok(frames.every((f) => f.byteLength === 640));
  assert.equal(frames.length, Math.ceil(audio.pcm.byteLength / 640));
  const durationMs = (audio.pcm.byteLength / 2 / 16000) * 1000;
  const endMs = speechEndMs(audio, 20);
  // The file ends with speech ("Actually, make it eleven."), and a silent tail moves the end by nothing.
  assert.ok(endMs > durationMs - 500 && endMs <= durationMs + 20, `${endMs} of ${durationMs}`);
  const silent = { ...audio, pcm: concat(audio.pcm, new ArrayBuffer(32000)) };
  assert.equal(speechEndMs(silent, 20), endMs);
});

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

function concat(a: ArrayBuffer, b: ArrayBuffer): ArrayBuffer {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(new Uint8Array(a));
  out.set(new Uint8Array(b), a.byteLength);
  return out.buffer;
}
