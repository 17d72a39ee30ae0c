import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { finished, gatewayEnv, REPO, startScript } from './gateway-process.ts';

const waitFor = async (check: () => boolean, what: string, timeoutMs = 120_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

test('under dash, the start script replaces the shell with node, and SIGTERM to that PID stops the gateway cleanly', { timeout: 180_000 }, async () => {
  // npm runs scripts with `sh -c`; Debian's sh is dash, which keeps itself as the parent unless the script execs.
  const child = spawn('/bin/sh', ['-c', startScript()], { cwd: REPO, env: await gatewayEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const done = finished(child);
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  // Signalled once loading has settled: a signal during model loading is the drain work's subject, not this test's.
  await waitFor(() => stdout.includes('dependencies loaded'), 'the gateway to finish loading');

  const pid = child.pid ?? assert.fail('no pid');
  const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  assert.match(command[0] ?? '', /node$/, `PID ${pid} is ${command.join(' ')}, not node`);
  assert.ok(command.includes('src/server.ts'));
  assert.equal(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((v) => v.startsWith('UV_THREADPOOL_SIZE=')), 'UV_THREADPOOL_SIZE=8');

  process.kill(pid, 'SIGTERM');
  const result = await done;
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /shutting down/);
});
