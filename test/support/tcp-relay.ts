import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

type Mode = 'up' | 'paused' | 'down';

/**
 * A TCP relay in front of a real server (Postgres, Redis) that a test can break the way networks break: `kill()`
 * refuses connections and resets the open ones, `drop()` resets the open ones only, `pause()` keeps every
 * connection open but moves no byte (a hung peer), `restore()` puts things right. The relay keeps its port.
 */
export class TcpRelay {
  readonly port: number;
  readonly #target: { host: string; port: number };
  #server: Server;
  #mode: Mode = 'up';
  readonly #pairs = new Set<[Socket, Socket]>();

  private constructor(server: Server, port: number, target: { host: string; port: number }) {
    this.#server = server;
    this.port = port;
    this.#target = target;
  }

  static async start(target: { host: string; port: number }, port = 0): Promise<TcpRelay> {
    const accepted: Socket[] = [];
    const holder: { relay?: TcpRelay } = {};
    const server = createServer((client) => (holder.relay ? holder.relay.accept(client) : accepted.push(client)));
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    holder.relay = new TcpRelay(server, (server.address() as AddressInfo).port, target);
    for (const client of accepted) holder.relay.accept(client);
    return holder.relay;
  }

  /** `url` with its host and port replaced by the relay's. */
  through(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  accept(client: Socket): void {
    if (this.#mode === 'down') return void client.destroy();
    const upstream = connect(this.#target.port, this.#target.host);
    const pair: [Socket, Socket] = [client, upstream];
    this.#pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.#pairs.delete(pair);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
    if (this.#mode === 'paused') this.#hold(pair);
  }

  /** Resets every open connection; new ones still go through. */
  drop(): void {
    for (const [client, upstream] of this.#pairs) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    this.#pairs.clear();
  }

  /** The peer is gone: connections are refused and open ones reset. */
  async kill(): Promise<void> {
    this.#mode = 'down';
    this.drop();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** The peer hangs: connections stay open (and new ones are taken) but nothing moves either way. */
  pause(): void {
    this.#mode = 'paused';
    for (const pair of this.#pairs) this.#hold(pair);
  }

  async restore(): Promise<void> {
    if (this.#mode === 'down') {
      const server = createServer((client) => this.accept(client));
      server.listen(this.port, '127.0.0.1');
      await once(server, 'listening');
      this.#server = server;
    }
    this.#mode = 'up';
    for (const [client, upstream] of this.#pairs) {
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
      upstream.resume();
    }
  }

  async close(): Promise<void> {
    this.#mode = 'down';
    this.drop();
    if (this.#server.listening) await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #hold([client, upstream]: [Socket, Socket]): void {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  }
}
