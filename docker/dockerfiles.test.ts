import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execForm, flag, flagsRemoved, isPinnedImage, parseDockerfile, type Stage } from './dockerfile-rules.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const DOCKERFILES = ['docker/Dockerfile.cpu', 'docker/Dockerfile.rocm'];
const SECRET_NAME = /(KEY|TOKEN|PASSWORD|SECRET|CREDENTIAL)/i;
const dockerignore = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());

for (const path of DOCKERFILES) {
  const stages = parseDockerfile(readFileSync(join(REPO, path), 'utf8'));
  const final = stages.at(-1) as Stage;
  const stageNames = new Set(stages.flatMap((s) => (s.name ? [s.name] : [])));
  const all = stages.flatMap((s) => s.instructions);
  const inFinal = (keyword: string) => final.instructions.filter((i) => i.keyword === keyword);

  test(`${path}: every base image and COPY --from image is pinned by tag`, () => {
    const references = [
      ...stages.map((s) => s.base),
      ...all.filter((i) => i.keyword === 'COPY').flatMap((i) => flag(i.args, 'from') ?? []),
    ].filter((ref) => !stageNames.has(ref));
    assert.ok(references.length > 0);
    for (const ref of references) assert.ok(isPinnedImage(ref), `${ref} is pinned`);
  });

  test(`${path}: the final stage switches to a non-root user before it starts`, () => {
    const users = inFinal('USER');
    const start = final.instructions.find((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT');
    assert.ok(start, 'CMD or ENTRYPOINT');
    const lastUser = users.filter((u) => u.line < start.line).at(-1);
    assert.ok(lastUser, 'USER before CMD');
    assert.ok(!['root', '0', '0:0', 'root:root'].includes(lastUser.args.trim()), `USER ${lastUser.args} is not root`);
  });

  test(`${path}: the HEALTHCHECK is liveness (/health), not readiness, so an LLM outage does not make it unhealthy`, () => {
    const [healthcheck] = inFinal('HEALTHCHECK');
    assert.ok(healthcheck && !/^NONE\b/i.test(healthcheck.args));
    assert.match(healthcheck.args, /\/health'/);
    assert.doesNotMatch(healthcheck.args, /\/ready/);
    // The first start downloads the models before the gateway listens.
    assert.match(healthcheck.args, /--start-period=\d+m/);
  });

  test(`${path}: npm ci skips onnxruntime-node's CUDA download and the image drops builds it never loads`, () => {
    const deps = stages.find((s) => s.name === 'deps') as Stage;
    const npmCi = deps.instructions.findIndex((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    const skip = deps.instructions.findIndex((i) => i.keyword === 'ENV' && /\bONNXRUNTIME_NODE_INSTALL=skip\b/.test(i.args));
    assert.ok(skip >= 0 && skip < npmCi, 'ONNXRUNTIME_NODE_INSTALL=skip before npm ci');
    const run = deps.instructions[npmCi]?.args ?? '';
    assert.match(run, /rm -rf [^&]*node_modules\/@fugood\/node-whisper-linux-x64-cuda\b/);
    for (const platform of ['darwin', 'win32', 'linux/arm64']) {
      assert.match(run, new RegExp(`node_modules/onnxruntime-node/bin/napi-v6/${platform}\\b`), `drops onnxruntime's ${platform} build`);
    }
    // The build the image does load stays.
    assert.doesNotMatch(run, /napi-v6\/linux\/x64\b/);
  });

  test(`${path}: no espeak-ng system package: Piper phonemises with espeak-ng compiled to WASM`, () => {
    for (const run of all.filter((i) => i.keyword === 'RUN')) assert.doesNotMatch(run.args, /\bespeak/);
  });

  test(`${path}: no ENV or ARG bakes in a secret`, () => {
    for (const i of all.filter((x) => x.keyword === 'ENV' || x.keyword === 'ARG')) {
      for (const [, name, value] of i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(?:=("[^"]*"|\S*))?/g)) {
        if (SECRET_NAME.test(name ?? '')) assert.ok(!value, `line ${i.line}: ${name} has a value`);
      }
    }
  });

  test(`${path}: production dependencies come from npm ci --omit=dev`, () => {
    const runs = all.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    assert.ok(runs.some((r) => /\bnpm ci --omit=dev\b/.test(r)));
    // npm install only for the binding's own build tools, never for the app.
    for (const r of runs.filter((x) => /\bnpm install\b/.test(x))) assert.match(r, /git clone .*whisper\.node/);
  });

  test(`${path}: every COPY from the context exists and is let through .dockerignore`, () => {
    const copies = all.filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && !flag(i.args, 'from'));
    assert.ok(copies.length > 0);
    for (const copy of copies) {
      const sources = flagsRemoved(copy.args).split(/\s+/).slice(0, -1);
      for (const source of sources) {
        assert.ok(existsSync(join(REPO, source)), `${source} exists`);
        assert.ok(dockerignore.includes(`!${source}`) || dockerignore.includes(`!${source}/`), `.dockerignore lets ${source} through`);
      }
    }
  });

  test(`${path}: the container listens on all interfaces and starts the gateway with its telemetry`, () => {
    assert.ok(inFinal('ENV').some((i) => /\bS2S_HOST=0\.0\.0\.0\b/.test(i.args)));
    const [cmd] = inFinal('CMD');
    const argv = execForm(cmd?.args ?? '');
    assert.ok(argv, 'CMD in exec form, so node gets the signals');
    assert.deepEqual(argv, ['node', '--import', './src/observability/otel.ts', 'src/server.ts']);
    for (const file of argv.filter((a) => a.endsWith('.ts'))) assert.ok(existsSync(join(REPO, file)), `${file} exists`);
  });
}

test('.dockerignore keeps node_modules, models and git out of the context', () => {
  // An allowlist: everything is ignored, then only what the images copy is let back in.
  assert.equal(dockerignore.find((l) => l !== '' && !l.startsWith('#')), '*');
  for (const kept of ['!node_modules', '!models', '!.git']) assert.ok(!dockerignore.includes(kept));
});

test('the phonemizer is the WASM espeak-ng from npm and nothing runs an espeak-ng program', () => {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  assert.ok(pkg.dependencies['@echogarden/espeak-ng-emscripten'], 'a production dependency, so images have it');
  assert.match(readFileSync(join(REPO, 'src/engines/piper/espeak-ipa.ts'), 'utf8'), /from '@echogarden\/espeak-ng-emscripten'/);
  const sources = readdirSync(join(REPO, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  for (const file of sources) assert.doesNotMatch(readFileSync(join(REPO, 'src', file), 'utf8'), /from 'node:child_process'/, `${file} spawns no program`);
});

test('no .npmrc: the onnxruntime-node skip lives where npm supports it (allowScripts) and in the install commands', () => {
  assert.ok(!existsSync(join(REPO, '.npmrc')), 'npm warns about unknown .npmrc keys on every command');
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> };
  assert.equal(pkg.allowScripts['onnxruntime-node'], false);
  // The Node 24 binary comes from the `node` package's install script.
  assert.equal(pkg.allowScripts.node, true);
  assert.match(readFileSync(join(REPO, '.ci/run'), 'utf8'), /ONNXRUNTIME_NODE_INSTALL=skip npm ci/);
  assert.match(readFileSync(join(REPO, 'systemd/install.sh'), 'utf8'), /ONNXRUNTIME_NODE_INSTALL=skip npm ci/);
});
