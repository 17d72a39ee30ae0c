import type * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { serviceContainer } from './service-container.ts';

const CONFIG_PATH = '/usr/local/etc/haproxy/haproxy.cfg';

/**
 * HAProxy in front of the gateway replicas. WebSockets pass through as tunnels (`timeout tunnel` bounds an idle
 * one, longer than the gateway's own idle timeout); a replica gets new sessions only while its `/ready` says 200, so
 * one that is draining, still loading models or without its LLM takes no new users. Sessions need no stickiness:
 * their state lives in Redis and Postgres, and a client that reconnects resumes on any replica.
 */
export function haproxyConfig(backends: string[], port: number): string {
  return [
    'global',
    '  log stdout format raw local0 info',
    '',
    'resolvers docker',
    // Docker's embedded DNS: replicas are found by name, also after they are replaced.
    '  nameserver dns 127.0.0.11:53',
    '  hold valid 5s',
    '',
    'defaults',
    '  mode http',
    '  log global',
    '  option httplog',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout tunnel 1h',
    '  timeout client-fin 5s',
    '',
    'frontend gateway',
    `  bind :${port}`,
    '  default_backend gateways',
    '',
    'backend gateways',
    '  balance leastconn',
    '  option httpchk GET /ready',
    '  http-check expect status 200',
    // A replica that starts up (or restarts) is found once DNS has it; until then it is simply down.
    '  default-server check inter 5s fall 2 rise 2 init-addr last,libc,none resolvers docker',
    ...backends.map((host) => `  server ${host} ${host}:${port}`),
    '',
  ].join('\n');
}

export interface LoadBalancerArgs {
  network: docker.Network;
  image: string;
  backends: string[];
  backendPort: number;
  bindAddress: string;
  publicPort: number;
  dependsOn: pulumi.Resource[];
}

export class LoadBalancer extends pulumi.ComponentResource {
  readonly container: docker.Container;

  constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('s2s:index:LoadBalancer', name, {}, opts);
    this.container = serviceContainer(
      {
        network: args.network,
        alias: 'gateway-lb',
        image: args.image,
        uploads: [{ file: CONFIG_PATH, content: haproxyConfig(args.backends, args.backendPort) }],
        ports: [{ internal: args.backendPort, external: args.publicPort, ip: args.bindAddress }],
        // The image has no HTTP client; checking the config proves the binary and what it serves.
        healthcheck: { tests: ['CMD', 'haproxy', '-c', '-q', '-f', CONFIG_PATH], interval: '30s', timeout: '5s', retries: 3, startPeriod: '5s' },
        waitTimeoutS: 60,
      },
      { parent: this, dependsOn: args.dependsOn },
    );
    this.registerOutputs({});
  }
}
