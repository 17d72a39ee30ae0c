import assert from 'node:assert/strict';
import { extname } from 'node:path';
import { test } from 'node:test';
import { configSchema } from '../config/schema.ts';
import { modelRequests } from '../engines/registry.ts';
import { TURN_DETECTOR_COMPANIONS } from '../engines/livekit-turns/engine.ts';
import { downloadUrl, loadCatalog, looksLikePath, primaryFile } from './catalog.ts';

const catalog = loadCatalog();
const files = catalog.models.flatMap((m) => m.files.map((f) => ({ model: m.name, ...f })));

test('every file is an https URL pinned to a revision, with a size or a verified SHA-256, or an honest "unverified"', () => {
  for (const f of files) {
    const url = new URL(f.url);
    assert.equal(url.protocol, 'https:', f.url);
    // A Hugging Face file at a 40-hex commit, or a GitHub release asset (its tag can move: the SHA-256 pins the bytes).
    const pinned = /^\/[^/]+\/[^/]+\/resolve\/[0-9a-f]{40}\//.test(url.pathname);
    const released = url.hostname === 'github.com' && /^\/[^/]+\/[^/]+\/releases\/download\/[^/]+\/[^/]+$/.test(url.pathname) && f.sha256 !== null;
    assert.ok(pinned || released, `${f.url} is pinned to a commit, or is a release asset with a SHA-256`);
    // Generic upstream names (model_q8.onnx, tokenizer.json) get a local name of their model; the type stays.
    assert.equal(extname(f.file), extname(url.pathname), `${f.file} keeps the extension of ${f.url}`);
    if (f.size === null) assert.ok(f.sha256 !== null && f.verified, `${f.file} has no size, so a verified sha256 decides`);
    else assert.ok(Number.isInteger(f.size) && f.size > 0, `${f.file} size`);
    if (f.sha256 === null) assert.equal(f.verified, false, `${f.file} has no sha256, so it is unverified`);
    else assert.match(f.sha256, /^[0-9a-f]{64}$/, `${f.file} sha256`);
    assert.ok(catalog.sources[f.source], `${f.file} says where its hash came from`);
  }
});

test('local file names are unique, so models share models.dir without clashing', () => {
  const names = files.map((f) => f.file);
  assert.equal(new Set(names).size, names.length);
});

test('the catalog holds the models the issue asks for, and the config defaults are among them', () => {
  const names = catalog.models.map((m) => m.name);
  for (const required of ['tiny.en', 'base', 'base.en', 'small', 'large-v3-turbo', 'en_US-lessac-medium', 'zh_CN-huayan-medium']) assert.ok(names.includes(required), required);
  assert.ok(names.some((n) => /^large-v3-turbo-q\d/.test(n)), 'a quantised large-v3-turbo');
  // Every model the default engines ask for, the Mandarin voice included, can be fetched on first run.
  const requests = modelRequests(configSchema.parse({}));
  assert.deepEqual(requests.map((r) => r.value).sort(), ['base', 'en_US-lessac-medium', 'zh_CN-huayan-medium']);
  for (const request of requests) assert.equal(catalog.models.find((m) => m.name === request.value)?.kind, request.kind, request.value);
});

test('every Piper voice ships its .onnx with the .onnx.json beside it, a turn detector its tokenizer and thresholds; every other model is one file', () => {
  for (const model of catalog.models) {
    const primary = primaryFile(model).file;
    const files = model.files.map((f) => f.file).sort();
    if (model.kind === 'tts' && model.files.some((f) => f.source === 'piper')) assert.deepEqual(files, [primary, `${primary}.json`].sort(), model.name);
    else if (model.kind === 'turns') assert.deepEqual(files, [primary, ...TURN_DETECTOR_COMPANIONS.map((suffix) => `${primary}${suffix}`)].sort(), model.name);
    else assert.deepEqual(files, [primary], model.name);
  }
});

test('a mirror replaces the origin and keeps the upstream path under its own prefix', () => {
  const file = files[0];
  assert.ok(file);
  const path = new URL(file.url).pathname;
  assert.equal(downloadUrl(file), file.url);
  assert.equal(downloadUrl(file, 'http://mirror.internal:8080'), `http://mirror.internal:8080${path}`);
  assert.equal(downloadUrl(file, 'https://mirror.example/hf/'), `https://mirror.example/hf${path}`);
});

test('config values with a directory part or a model extension are paths; anything else is a catalog name', () => {
  for (const value of ['./models/x.bin', '/abs/voice', 'C:\\models\\ggml.bin', 'ggml-base.bin', 'voice.onnx']) assert.ok(looksLikePath(value), value);
  for (const value of ['base', 'large-v3-turbo-q5_0', 'en_US-lessac-medium', 'tiny.en']) assert.ok(!looksLikePath(value), value);
});
