import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as docker from '@pulumi/docker';
import type * as pulumi from '@pulumi/pulumi';
import type { GpuMode } from './gpu.ts';

/** What docker/Dockerfile.* copy from the context (.dockerignore lets only these through), tests excluded. */
const CONTEXT_INPUTS = ['package.json', 'package-lock.json', 'src', 'web', 'client'];

export const dockerfileFor = (gpu: GpuMode): string => (gpu === 'none' ? 'docker/Dockerfile.cpu' : 'docker/Dockerfile.rocm');

function filesUnder(root: string, path: string): string[] {
  const full = join(root, path);
  const entries = readdirSync(full, { withFileTypes: true, recursive: true });
  if (entries.length === 0 && !full.endsWith('/')) return [];
  return entries
    .filter((e) => e.isFile() && !e.name.endsWith('.test.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

/**
 * A tag from the bytes that go into the image: the Dockerfile and every file it copies. A code change gives a new
 * tag, a new image name, so the containers are replaced; an unchanged tree keeps them. (A moving base image does not
 * change the tag: bump its pinned version in the Dockerfile.)
 */
export function contentTag(repoDir: string, dockerfile: string): string {
  const hash = createHash('sha256');
  const files = [dockerfile, ...CONTEXT_INPUTS.flatMap((input) => (input.includes('.') ? [input] : filesUnder(repoDir, input)))];
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(repoDir, file)));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

export interface GatewayImage {
  /** What containers run: an image reference that changes whenever the image does. */
  ref: pulumi.Output<string>;
}

/**
 * The gateway image, built by `pulumi up` on the Docker host from docker/ (ROCm for a GPU stack, CPU otherwise) and
 * never pushed; or, with `gatewayImage` set, that prebuilt image pulled as it is.
 */
export function gatewayImage(
  args: { repoDir: string; gpu: GpuMode; prebuilt: string | undefined },
  opts: pulumi.CustomResourceOptions,
): GatewayImage {
  if (args.prebuilt !== undefined) {
    const remote = new docker.RemoteImage('gateway-image', { name: args.prebuilt, keepLocally: true }, opts);
    return { ref: remote.imageId };
  }
  const dockerfile = dockerfileFor(args.gpu);
  const flavour = args.gpu === 'none' ? 'cpu' : 'rocm';
  const image = new docker.Image(
    'gateway-build',
    {
      imageName: `s2s-gateway:${contentTag(args.repoDir, dockerfile)}-${flavour}`,
      build: { context: args.repoDir, dockerfile: join(args.repoDir, dockerfile), platform: 'linux/amd64', builderVersion: 'BuilderBuildKit' },
      skipPush: true,
    },
    opts,
  );
  return { ref: image.imageName };
}
