import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';

type Healthcheck = Omit<docker.types.input.ContainerHealthcheck, 'tests'> & { tests: string[] };

export type ServiceContainerArgs = Omit<
  docker.ContainerArgs,
  'image' | 'name' | 'networksAdvanced' | 'healthcheck' | 'restart' | 'wait' | 'waitTimeout'
> & {
  network: docker.Network;
  /** The name other containers use to reach this one on the private network. */
  alias: string;
  /** A pinned image to pull, or the reference of an image the program built. */
  image: string | pulumi.Output<string>;
  /** Required: `pulumi up` waits on it, and Docker restarts on it. */
  healthcheck: Healthcheck;
  /** How long `pulumi up` waits for the healthcheck; model downloads make some services slow the first time. */
  waitTimeoutS: number;
};

/** One long-running service: its pinned image and a container on the stack's private network. */
export function serviceContainer(args: ServiceContainerArgs, opts: pulumi.CustomResourceOptions & { parent: pulumi.Resource }): docker.Container {
  const { network, alias, image, healthcheck, waitTimeoutS, ...rest } = args;
  // keepLocally: a destroy must not delete images other stacks or a rollback may still use.
  const imageRef = pulumi.Output.isInstance(image) ? image : new docker.RemoteImage(`${alias}-image`, { name: image, keepLocally: true }, { parent: opts.parent }).imageId;
  return new docker.Container(
    alias,
    {
      ...rest,
      name: `s2s-${alias}`,
      image: imageRef,
      networksAdvanced: [{ name: network.name, aliases: [alias] }],
      healthcheck,
      restart: 'unless-stopped',
      wait: true,
      waitTimeout: waitTimeoutS,
    },
    opts,
  );
}

/** A named volume: data that survives the container being replaced (it goes with `pulumi destroy`). */
export function namedVolume(parent: pulumi.Resource, name: string): docker.Volume {
  return new docker.Volume(name, { name: `s2s-${name}` }, { parent });
}
