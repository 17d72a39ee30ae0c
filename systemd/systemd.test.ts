// Static checks of the bare-metal deployment with the tools CI installs (systemd, shellcheck): they must fail,
// not skip, when a tool is missing. Nothing here starts a service.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load.ts';

const DIR = fileURLToPath(new URL('.', import.meta.url));
const UNITS = ['s2s-gateway.service', 's2s-llm.service', 's2s.target'];
const SCRIPTS = ['install.sh', 'uninstall.sh'];
const unitText = (name: string) => readFileSync(join(DIR, name), 'utf8');

/** The units in a temporary directory, each ExecStart binary replaced by a stand-in that exists here. */
function unitsWithStandIns(): string {
  const root = mkdtempSync(join(tmpdir(), 's2s-units-'));
  mkdirSync(join(root, 'bin'));
  for (const unit of UNITS) {
    const text = unitText(unit).replace(/^ExecStart=(\S+)/gm, (_line, binary: string) => {
      const standIn = join(root, 'bin', binary.replaceAll('/', '_'));
      writeFileSync(standIn, '#!/bin/sh\nexit 0\n');
      chmodSync(standIn, 0o755);
      return `ExecStart=${standIn}`;
    });
    writeFileSync(join(root, unit), text);
  }
  return root;
}

test('systemd-analyze verify accepts every unit', () => {
  const root = unitsWithStandIns();
  const result = spawnSync('systemd-analyze', ['verify', ...UNITS.map((u) => join(root, u))], { encoding: 'utf8' });
  assert.equal(result.error, undefined, 'systemd-analyze runs');
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr.trim(), '', 'no warnings');
});

for (const unit of ['s2s-gateway.service', 's2s-llm.service']) {
  test(`${unit} scores an exposure of 2.5 or better in systemd-analyze security`, () => {
    const root = unitsWithStandIns();
    // --threshold is on the 0..100 scale behind the 0..10 score printed.
    const output = execFileSync('systemd-analyze', ['security', '--offline=yes', '--threshold=25', join(root, unit)], { encoding: 'utf8' });
    const score = Number(output.match(/Overall exposure level for \S+: ([\d.]+)/)?.[1]);
    assert.ok(score <= 2.5, `exposure ${score}`);
  });
}

test('the services reach the GPU without giving up the device sandbox', () => {
  for (const unit of ['s2s-gateway.service', 's2s-llm.service']) {
    const lines = unitText(unit).split('\n');
    for (const required of ['PrivateDevices=no', 'DevicePolicy=closed', 'DeviceAllow=/dev/kfd rw', 'DeviceAllow=char-drm rw', 'SupplementaryGroups=video render']) {
      assert.ok(lines.includes(required), `${unit}: ${required}`);
    }
    // V8 writes machine code at run time; llama.cpp's GPU runtimes map executable memory too.
    assert.ok(!lines.some((l) => l.startsWith('MemoryDenyWriteExecute=')), `${unit}: no MemoryDenyWriteExecute`);
  }
});

test('the gateway unit starts Node with its telemetry, restarts on failure and reads the env file', () => {
  const lines = unitText('s2s-gateway.service').split('\n');
  for (const required of [
    'Type=exec',
    'ExecStart=/opt/s2s-gateway/bin/node --import ./src/observability/otel.ts src/server.ts',
    'Restart=on-failure',
    'EnvironmentFile=/etc/s2s-gateway/s2s.env',
    'ProtectSystem=strict',
    'StateDirectory=s2s-gateway',
    'NoNewPrivileges=yes',
    'CapabilityBoundingSet=',
    'LimitNOFILE=65536',
  ]) {
    assert.ok(lines.includes(required), required);
  }
});

test('the env template is a configuration the gateway accepts, with no secret values', () => {
  const env = Object.fromEntries(
    unitText('s2s.env.example')
      .split('\n')
      .filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const config = loadConfig({ env });
  assert.equal(config.models.dir, '/var/lib/s2s-gateway/models');
  assert.equal(config.server.host, '0.0.0.0');
  for (const [name, value] of Object.entries(env)) {
    if (/KEY|TOKEN|PASSWORD/.test(name)) assert.equal(value, '', `${name} is left for install.sh to generate`);
  }
  assert.ok('LLAMA_SERVER_ARGS' in env && 'LLAMA_API_KEY' in env);
});

test('install.sh and uninstall.sh are shellcheck-clean', () => {
  const result = spawnSync('shellcheck', ['--severity=style', ...SCRIPTS.map((s) => join(DIR, s))], { encoding: 'utf8' });
  assert.equal(result.error, undefined, 'shellcheck runs (apt-get install shellcheck)');
  assert.equal(result.status, 0, result.stdout);
});

test('uninstall.sh refuses unknown options before touching anything', () => {
  const result = spawnSync('bash', [join(DIR, 'uninstall.sh'), '--everything'], { encoding: 'utf8' });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /usage: uninstall\.sh \[--purge\]/);
});
