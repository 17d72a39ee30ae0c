import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { contentTag } from './gateway-image.ts';
import { writeDashboardsFixture } from './dashboards-fixture.ts';
import { container, containers, runStackWithMocks } from './mocked-stack.ts';

const stack = await runStackWithMocks({ config: { gpu: 'rocm', videoGid: '44', renderGid: '991' }, dashboardsDir: writeDashboardsFixture() });

test('with no gatewayImage, pulumi up builds the ROCm image from docker/ and the gateway runs exactly that build', () => {
  const builds = stack.resources.filter((r) => r.type === 'docker:index/image:Image');
  assert.equal(builds.length, 1);
  const { inputs } = builds[0] as unknown as { inputs: { imageName: string; skipPush: boolean; build: { context: string; dockerfile: string; platform: string } } };
  assert.match(inputs.build.dockerfile, /docker\/Dockerfile\.rocm$/);
  assert.equal(inputs.skipPush, true, 'built on the Docker host, pushed nowhere');
  assert.equal(inputs.build.platform, 'linux/amd64');
  assert.match(inputs.imageName, /^s2s-gateway:[0-9a-f]{16}-rocm$/);
  assert.equal(container(stack, 'gateway').inputs.image, inputs.imageName);
  // Nothing pulls a gateway image that was built here.
  assert.ok(!stack.resources.some((r) => r.type === 'docker:index/remoteImage:RemoteImage' && String(r.inputs.name).startsWith('s2s-gateway')));
  assert.equal(containers(stack).filter((c) => c.name.startsWith('gateway')).length, 1);
});

function scratchRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 's2s-image-context-'));
  for (const dir of ['docker', 'src/app', 'web', 'client']) mkdirSync(join(root, dir), { recursive: true });
  const files: Record<string, string> = {
    'package.json': '{"name":"x"}',
    'package-lock.json': '{}',
    'docker/Dockerfile.cpu': 'FROM node:24\n',
    'src/app/app.ts': 'export const a = 1;\n',
    'src/app/app.test.ts': 'test\n',
    'web/index.html': '<html></html>\n',
    'client/index.ts': 'export {};\n',
  };
  for (const [path, content] of Object.entries(files)) writeFileSync(join(root, path), content);
  return root;
}

test('the tag changes with any file the image copies or the Dockerfile, and not with tests', () => {
  const repo = scratchRepo();
  const before = contentTag(repo, 'docker/Dockerfile.cpu');
  assert.equal(contentTag(repo, 'docker/Dockerfile.cpu'), before, 'stable for an unchanged tree');

  writeFileSync(join(repo, 'src/app/app.test.ts'), 'another test\n');
  assert.equal(contentTag(repo, 'docker/Dockerfile.cpu'), before, 'tests are not in the image');

  for (const [path, content] of [['src/app/app.ts', 'export const a = 2;\n'], ['docker/Dockerfile.cpu', 'FROM node:24.1\n'], ['package-lock.json', '{"v":2}']] as const) {
    const changed = mkdtempSync(join(tmpdir(), 's2s-image-context-'));
    cpSync(repo, changed, { recursive: true });
    writeFileSync(join(changed, path), content);
    assert.notEqual(contentTag(changed, 'docker/Dockerfile.cpu'), before, `${path} changed`);
  }
});
