import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, envBindings, loadConfig } from './load.ts';

const tempFile = (name: string, text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 's2s-config-')), name);
  writeFileSync(path, text);
  return path;
};

test('with nothing set, the gateway runs on embedded defaults', () => {
  const config = loadConfig({ env: {} });
  assert.equal(config.server.port, 8080);
  assert.equal(config.server.host, '127.0.0.1');
  assert.deepEqual(config.server.apiKeys, []);
  assert.equal(config.models.dir, './models');
  assert.equal(config.postgresUrl, undefined);
  assert.equal(config.redisUrl, undefined);
});

test('the environment names the README documents map to their keys', () => {
  const names = envBindings();
  const expected: Record<string, string> = {
    S2S_HOST: 'server.host',
    S2S_PORT: 'server.port',
    S2S_API_KEYS: 'server.apiKeys',
    S2S_ASR_MODEL: 'asr.model',
    S2S_TTS_VOICE: 'tts.voice',
    S2S_LLM_BASE_URL: 'llm.baseUrl',
    S2S_LLM_MODEL: 'llm.model',
    S2S_LLM_API_KEY: 'llm.apiKey',
    S2S_REDIS_URL: 'redisUrl',
    S2S_POSTGRES_URL: 'postgresUrl',
    S2S_QDRANT_URL: 'qdrantUrl',
    S2S_MODELS_DIR: 'models.dir',
    S2S_MODELS_MIRROR: 'models.mirror',
    S2S_AGENT_MODULE: 'agent.module',
    S2S_TRACE_CONTENT: 'traceContent',
  };
  for (const [name, path] of Object.entries(expected)) assert.equal(names.get(name)?.path.join('.'), path, name);
});

test('defaults < config file < environment', () => {
  const file = tempFile('gateway.yaml', 'server:\n  port: 9000\n  host: 0.0.0.0\nvad:\n  threshold: 0.6\n');
  const config = loadConfig({ file, env: { S2S_PORT: '9100', S2S_API_KEYS: 'a, b', S2S_TTS_VOICES_BY_LANG: '{"zh":"zh_CN-huayan-medium"}' } });
  assert.equal(config.server.port, 9100);
  assert.equal(config.server.host, '0.0.0.0');
  assert.equal(config.vad.threshold, 0.6);
  assert.equal(config.vad.minSilenceMs, 500);
  assert.deepEqual(config.server.apiKeys, ['a', 'b']);
  assert.equal(config.tts.engine, 'piper');
  assert.deepEqual(config.tts.engine === 'piper' && config.tts.voicesByLang, { zh: 'zh_CN-huayan-medium' });
});

test('each engine section is chosen by its engine, and every engine\'s settings have a variable', () => {
  const names = envBindings();
  for (const [name, path] of Object.entries({ S2S_TTS_ENGINE: 'tts.engine', S2S_TTS_VOICE: 'tts.voice', S2S_TTS_URL: 'tts.url', S2S_TTS_FALLBACK_LANGUAGE: 'tts.fallbackLanguage', S2S_ASR_ENGINE: 'asr.engine', S2S_VAD_THRESHOLD: 'vad.threshold' })) {
    assert.equal(names.get(name)?.path.join('.'), path, name);
  }
  const config = loadConfig({ env: { S2S_TTS_ENGINE: 'xtts', S2S_TTS_URL: 'http://xtts:8000', S2S_TTS_FALLBACK_LANGUAGE: 'de' } });
  assert.deepEqual(config.tts, { engine: 'xtts', url: 'http://xtts:8000', speaker: 'Claribel Dervla', fallbackLanguage: 'de', timeoutMs: 10_000 });
  const file = tempFile('gateway.yaml', 'tts:\n  voice: ./my-voice.onnx\n');
  assert.deepEqual(loadConfig({ file, env: {} }).tts, { engine: 'piper', voice: './my-voice.onnx', voicesByLang: { zh: 'zh_CN-huayan-medium' }, threads: 1, phonemizerWorkers: 2, inferenceWorkers: 1 });
});

test("another engine's setting is an error naming the engine that has it, and a chosen engine's missing one is named", () => {
  assert.throws(() => loadConfig({ env: { S2S_TTS_URL: 'http://xtts:8000' } }), /tts\.url \(S2S_TTS_URL\): a setting of xtts, not of piper/);
  assert.throws(() => loadConfig({ env: { S2S_TTS_ENGINE: 'xtts', S2S_TTS_URL: 'http://xtts:8000', S2S_TTS_THREADS: '2' } }), /tts\.threads \(S2S_TTS_THREADS\): a setting of piper, kokoro, not of xtts/);
  assert.throws(() => loadConfig({ env: { S2S_TTS_ENGINE: 'xtts' } }), /tts\.url \(S2S_TTS_URL\)/);
  assert.throws(() => loadConfig({ env: { S2S_TTS_ENGINE: 'kokoro', S2S_TTS_URL: 'http://xtts:8000' } }), /tts\.url \(S2S_TTS_URL\): a setting of xtts, not of kokoro/);
  assert.throws(() => loadConfig({ env: { S2S_TTS_ENGINE: 'coqui' } }), /tts\.engine \(S2S_TTS_ENGINE\)/);
});

test('JSON config files work too', () => {
  const file = tempFile('gateway.json', JSON.stringify({ llm: { model: 'qwen3-8b', temperature: 0.2 } }));
  const config = loadConfig({ file, env: {} });
  assert.equal(config.llm.model, 'qwen3-8b');
  assert.equal(config.llm.temperature, 0.2);
});

test('an invalid value stops start-up with a message naming the key and its variable', () => {
  assert.throws(() => loadConfig({ env: { S2S_PORT: 'eighty' } }), (err: Error) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /server\.port \(S2S_PORT\)/);
    return true;
  });
  assert.throws(() => loadConfig({ env: { S2S_LLM_BASE_URL: 'not a url' } }), /llm\.baseUrl \(S2S_LLM_BASE_URL\)/);
  assert.throws(() => loadConfig({ env: { S2S_VAD_THRESHOLD: '2' } }), /vad\.threshold \(S2S_VAD_THRESHOLD\)/);
});

test('every bad key is named at once, not only the first', () => {
  assert.throws(() => loadConfig({ env: { S2S_PORT: '-1', S2S_ASR_POOL_SIZE: '0' } }), (err: Error) => {
    assert.match(err.message, /S2S_PORT/);
    assert.match(err.message, /S2S_ASR_POOL_SIZE/);
    return true;
  });
});

test('a misspelt S2S_ variable is an error, not silently ignored', () => {
  assert.throws(() => loadConfig({ env: { S2S_LLM_BASEURL: 'http://x' } }), /S2S_LLM_BASEURL: did you mean S2S_LLM_BASE_URL\?/);
});

test('an unknown key in the config file is named', () => {
  const file = tempFile('gateway.yaml', 'llm:\n  baseURL: http://x\n');
  assert.throws(() => loadConfig({ file, env: {} }), /llm.*baseURL/);
});

test('a missing or unparsable config file is a clear error', () => {
  assert.throws(() => loadConfig({ file: '/nonexistent/gateway.yaml', env: {} }), /cannot read config file \/nonexistent\/gateway.yaml/);
  assert.throws(() => loadConfig({ file: tempFile('bad.json', '{'), env: {} }), /not valid JSON/);
});
