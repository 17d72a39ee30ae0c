import type * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { namedVolume, serviceContainer } from './service-container.ts';

export interface DataStoresArgs {
  network: docker.Network;
  images: { postgres: string; redis: string; qdrant: string };
}

const PG_USER = 's2s';
const PG_DB = 's2s';
const QDRANT_PORT = 6333;

/** Postgres (LangGraph checkpoints), Redis (session state) and Qdrant (agent memory), reachable only on the network. */
export class DataStores extends pulumi.ComponentResource {
  /** Secret: it carries the generated password. */
  readonly postgresUrl: pulumi.Output<string>;
  readonly redisUrl: string;
  readonly qdrantUrl: string;
  readonly containers: docker.Container[];

  constructor(name: string, args: DataStoresArgs, opts?: pulumi.ComponentResourceOptions) {
    super('s2s:index:DataStores', name, {}, opts);
    const { network, images } = args;

    const password = new random.RandomPassword('postgres-password', { length: 32, special: false }, { parent: this });
    const postgres = serviceContainer(
      {
        network,
        alias: 'postgres',
        image: images.postgres,
        envs: [pulumi.secret(pulumi.interpolate`POSTGRES_PASSWORD=${password.result}`), `POSTGRES_USER=${PG_USER}`, `POSTGRES_DB=${PG_DB}`],
        volumes: [{ volumeName: namedVolume(this, 'postgres-data').name, containerPath: '/var/lib/postgresql/data' }],
        healthcheck: { tests: ['CMD', 'pg_isready', '-U', PG_USER, '-d', PG_DB], interval: '10s', timeout: '5s', retries: 5, startPeriod: '30s' },
        waitTimeoutS: 120,
      },
      { parent: this },
    );

    const redis = serviceContainer(
      {
        network,
        alias: 'redis',
        image: images.redis,
        command: ['redis-server', '--appendonly', 'yes'],
        volumes: [{ volumeName: namedVolume(this, 'redis-data').name, containerPath: '/data' }],
        healthcheck: { tests: ['CMD', 'redis-cli', 'ping'], interval: '10s', timeout: '5s', retries: 5, startPeriod: '10s' },
        waitTimeoutS: 120,
      },
      { parent: this },
    );

    // The Qdrant image has no curl or wget; bash's /dev/tcp speaks just enough HTTP to ask /readyz.
    const qdrantProbe = `exec 3<>/dev/tcp/127.0.0.1/${QDRANT_PORT} && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3`;
    const qdrant = serviceContainer(
      {
        network,
        alias: 'qdrant',
        image: images.qdrant,
        volumes: [{ volumeName: namedVolume(this, 'qdrant-data').name, containerPath: '/qdrant/storage' }],
        healthcheck: { tests: ['CMD', 'bash', '-c', qdrantProbe], interval: '10s', timeout: '5s', retries: 5, startPeriod: '30s' },
        waitTimeoutS: 180,
      },
      { parent: this },
    );

    this.postgresUrl = pulumi.secret(pulumi.interpolate`postgres://${PG_USER}:${password.result}@postgres:5432/${PG_DB}`);
    this.redisUrl = 'redis://redis:6379';
    this.qdrantUrl = `http://qdrant:${QDRANT_PORT}`;
    this.containers = [postgres, redis, qdrant];
    this.registerOutputs({ redisUrl: this.redisUrl, qdrantUrl: this.qdrantUrl });
  }
}
