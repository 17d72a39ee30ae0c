import type * as docker from '@pulumi/docker';

export type GpuMode = 'none' | 'rocm' | 'vulkan';

export interface GpuAccess {
  devices: docker.types.input.ContainerDevice[];
  groupAdds: string[];
}

/**
 * Devices and groups a container needs to reach the AMD GPU. ROCm (HIP) talks to `/dev/kfd` and the render
 * nodes under `/dev/dri`; Vulkan (RADV) needs only `/dev/dri`. Groups are numeric because a group name would be
 * resolved inside the image, where `render` may not exist or carry another number.
 */
export function gpuAccess(mode: GpuMode, gids: { video: number | undefined; render: number | undefined }): GpuAccess {
  if (mode === 'none') return { devices: [], groupAdds: [] };
  if (gids.video === undefined || gids.render === undefined) throw new Error('videoGid and renderGid are required when gpu is not none');
  const device = (path: string) => ({ hostPath: path, containerPath: path, permissions: 'rwm' });
  const devices = mode === 'rocm' ? [device('/dev/kfd'), device('/dev/dri')] : [device('/dev/dri')];
  return { devices, groupAdds: [String(gids.video), String(gids.render)] };
}
