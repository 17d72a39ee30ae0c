import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GatewayReply, GatewayRequest, ServerSample } from './gateway-protocol.ts';

const START_TIMEOUT_MS = 60_000;
const REPLY_TIMEOUT_MS = 30_000;
const EXIT_TIMEOUT_MS = 5_000;

type Pending = (reply: GatewayReply) => void;

/** The gateway process, seen from the bench: where to connect, and its resource use between two marks. */
export class GatewayHandle {
  readonly wsUrl: string;
  readonly minSilenceMs: number;
  /** The pause after which the gateway starts a draft answer (0: never). */
  readonly speculativeAfterMs: number;
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  private constructor(child: ChildProcess, ready: Extract<GatewayReply, { type: 'ready' }>) {
    this.#child = child;
    this.wsUrl = ready.wsUrl;
    this.minSilenceMs = ready.minSilenceMs;
    this.speculativeAfterMs = ready.speculativeAfterMs;
    child.on('message', (reply: GatewayReply) => {
      this.#pending.get(reply.id)?.(reply);
      this.#pending.delete(reply.id);
    });
  }

  /**
   * Forks the gateway with the real engines on the small test models, talking to the LLM at `llmUrl`. The
   * libuv pool is sized as `npm start` sizes it. Node flags of the bench (`--cpu-prof`) reach the child too.
   */
  static async start(llmUrl: string, signal: AbortSignal): Promise<GatewayHandle> {
    const child = fork(new URL('./gateway-process.ts', import.meta.url), [llmUrl], {
      env: { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '8' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = (await once(child, 'message', { signal: AbortSignal.any([signal, AbortSignal.timeout(START_TIMEOUT_MS)]) })) as [GatewayReply];
    if (ready[0].type !== 'ready') throw new Error(`gateway process said ${ready[0].type} before ready`);
    return new GatewayHandle(child, ready[0]);
  }

  /** Starts a measurement window: CPU, peak RSS and event-loop lag count from here. */
  async mark(): Promise<void> {
    await this.#request('mark');
  }

  async measure(): Promise<ServerSample> {
    const reply = await this.#request('measure');
    if (reply.type !== 'measured') throw new Error(`gateway process answered ${reply.type} to measure`);
    return reply.sample;
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = once(this.#child, 'exit');
    try {
      await this.#request('close');
      this.#child.disconnect();
      await Promise.race([exited, sleep(EXIT_TIMEOUT_MS)]);
    } finally {
      // A native thread that keeps the process alive after close is not the bench's to wait for.
      if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
    }
  }

  #request(type: GatewayRequest['type']): Promise<GatewayReply> {
    const id = this.#nextId++;
    const { promise, resolve, reject } = Promise.withResolvers<GatewayReply>();
    const timer = setTimeout(() => {
      this.#pending.delete(id);
      reject(new Error(`gateway process did not answer ${type} within ${REPLY_TIMEOUT_MS} ms`));
    }, REPLY_TIMEOUT_MS);
    this.#pending.set(id, (reply) => {
      clearTimeout(timer);
      resolve(reply);
    });
    this.#child.send({ id, type } satisfies GatewayRequest);
    return promise;
  }
}
