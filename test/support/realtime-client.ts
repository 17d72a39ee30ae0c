/**
 * The official `openai` SDK's Realtime WebSocket classes, pointed at a gateway behind a TLS front, with what a
 * test needs around them: every server event recorded in order, waiting for one, and the answer's audio.
 */
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { OpenAIRealtimeWS as BetaRealtimeWS } from 'openai/beta/realtime/ws';
import type { TlsFront } from './tls-front.ts';

// Server events as the tests read them: the SDK's own types are a union too wide to narrow at every use.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read nested fields and assert on them
export type RealtimeEvent = { type: string; event_id?: string } & Record<string, any>;

export interface RealtimeClientOptions {
  apiKey?: string;
  model?: string;
  /** The SDK's beta class (sends `OpenAI-Beta: realtime=v1`) instead of the GA one. */
  beta?: boolean;
}

/** What the tests use of either SDK class (their event maps differ, so their union has no callable `on`). */
interface RealtimeSocket {
  on(event: string, listener: (event: unknown) => void): unknown;
  send(event: unknown): void;
  close(): void;
  socket: OpenAIRealtimeWS['socket'];
}

export class RealtimeTestClient {
  readonly events: RealtimeEvent[] = [];
  readonly #socket: RealtimeSocket;
  #waiters: (() => void)[] = [];
  readonly #closed: Promise<{ code: number; reason: string }>;
  /** Rejects when the connection fails (a refused upgrade, say). */
  readonly #failed: Promise<never>;

  private constructor(socket: RealtimeSocket) {
    this.#socket = socket;
    // Errors arrive as events too; without a listener the SDK rejects a promise nobody awaits.
    socket.on('error', () => {});
    socket.on('event', (event: unknown) => {
      this.events.push(event as RealtimeEvent);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.#closed = new Promise((resolve) => socket.socket.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
    this.#failed = new Promise((_, reject) => socket.socket.on('error', reject));
    this.#failed.catch(() => {});
  }

  /** Connects through the front and waits for `session.created`. */
  static async connect(front: TlsFront, options: RealtimeClientOptions = {}): Promise<RealtimeTestClient> {
    const openai = new OpenAI({ apiKey: options.apiKey ?? 'test-key', baseURL: `${front.origin}/v1` });
    const props = { model: options.model ?? 'local-realtime', options: { ca: front.ca } };
    const socket = options.beta ? new BetaRealtimeWS(props, openai) : new OpenAIRealtimeWS(props, openai);
    const client = new RealtimeTestClient(socket as unknown as RealtimeSocket);
    await Promise.race([client.next('session.created'), client.#failed]);
    return client;
  }

  send(event: Record<string, unknown>): void {
    this.#socket.send(event);
  }

  appendAudio(bytes: Uint8Array): void {
    this.send({ type: 'input_audio_buffer.append', audio: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') });
  }

  of(type: string): RealtimeEvent[] {
    return this.events.filter((e) => e.type === type);
  }

  /** The first event of a type (after `after` of them) that `where` accepts, waiting up to `timeoutMs`. */
  async next(type: string, options: { after?: number; where?: (e: RealtimeEvent) => boolean; timeoutMs?: number } = {}): Promise<RealtimeEvent> {
    const { after = 0, where = () => true, timeoutMs = 20_000 } = options;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.of(type).filter(where)[after];
      if (found) return found;
      if (performance.now() > deadline) throw new Error(`no ${type} within ${timeoutMs} ms; got ${this.events.map((e) => e.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** The audio deltas of one response (any dialect's name), decoded. */
  audio(responseId?: string): Buffer {
    const deltas = this.events.filter(
      (e) => (e.type === 'response.output_audio.delta' || e.type === 'response.audio.delta') && (responseId === undefined || e.response_id === responseId),
    );
    return Buffer.concat(deltas.map((e) => Buffer.from(e.delta as string, 'base64')));
  }

  errors(): RealtimeEvent[] {
    return this.of('error');
  }

  closed(): Promise<{ code: number; reason: string }> {
    return this.#closed;
  }

  async close(): Promise<void> {
    this.#socket.close();
    await this.#closed;
  }
}
