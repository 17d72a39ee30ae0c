import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { test } from 'node:test';
import { finished, gatewayEnv, runGateway } from './gateway-process.ts';

/** No stack frames: an operator reads one sentence that names the cause and the setting. */
const assertNoStack = (stderr: string) => assert.doesNotMatch(stderr, /^\s+at /m, stderr);

test('a port in use is one line naming the address and S2S_PORT, exit status 1', { timeout: 180_000 }, async () => {
  const squatter = createServer();
  squatter.listen(0, '127.0.0.1');
  await once(squatter, 'listening');
  const { port } = squatter.address() as { port: number };
  try {
    const result = await finished(runGateway([], await gatewayEnv({ S2S_PORT: String(port) })));
    assert.equal(result.status, 1);
    assert.equal(result.stderr, `s2s-gateway: cannot listen on 127.0.0.1:${port}: the port is in use (another gateway?); stop that process or set S2S_PORT\n`);
    assertNoStack(result.stderr);
  } finally {
    squatter.close();
  }
});

test('a configured model that is missing names the key and the path, without a stack', { timeout: 120_000 }, async () => {
  const result = await finished(runGateway([], await gatewayEnv({ S2S_ASR_MODEL: '/nonexistent/ggml-base.bin' })));
  assert.equal(result.status, 1);
  assert.match(result.stderr, /^s2s-gateway: configured model files are missing/);
  assert.match(result.stderr, /asr\.model \(S2S_ASR_MODEL\) = \/nonexistent\/ggml-base\.bin/);
  assertNoStack(result.stderr);
});

test('an unreadable TLS key is one line naming its setting', { timeout: 120_000 }, async () => {
  const result = await finished(runGateway([], await gatewayEnv({ S2S_TLS_CERT: '/nonexistent/cert.pem', S2S_TLS_KEY: '/nonexistent/key.pem' })));
  assert.equal(result.status, 1);
  assert.match(result.stderr, /^s2s-gateway: cannot read server\.tlsCert \(S2S_TLS_CERT\) at \/nonexistent\/cert\.pem/);
  assert.equal(result.stderr.trim().split('\n').length, 1);
});

test('--version, --help and --print-config answer without starting anything', { timeout: 120_000 }, async () => {
  const env = await gatewayEnv({ S2S_API_KEYS: 'key-one,key-two', S2S_LLM_API_KEY: 'sk-live', S2S_POSTGRES_URL: 'postgres://app:hunter2@db:5432/s2s' });
  const version = await finished(runGateway(['--version'], env));
  assert.equal(version.stdout.trim(), '0.1.0');

  const help = await finished(runGateway(['--help'], env));
  assert.equal(help.status, 0);
  for (const name of ['S2S_PORT', 'S2S_LLM_BASE_URL', 'S2S_TTS_VOICE', 'S2S_REDIS_URL']) assert.match(help.stdout, new RegExp(`^  ${name} `, 'm'));

  const printed = await finished(runGateway(['--print-config'], env));
  assert.equal(printed.status, 0, printed.stderr);
  const config = JSON.parse(printed.stdout) as { server: { apiKeys: string[] }; llm: { apiKey: string }; postgresUrl: string };
  assert.deepEqual(config.server.apiKeys, ['***', '***']);
  assert.equal(config.llm.apiKey, '***');
  assert.equal(config.postgresUrl, 'postgres://app:***@db:5432/s2s');
  assert.doesNotMatch(printed.stdout, /hunter2|sk-live|key-one/);
});
