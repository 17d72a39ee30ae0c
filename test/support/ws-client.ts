import { once } from 'node:events';
import WebSocket from 'ws';
import { serverMessageSchema, type ServerMessage } from '../../src/transports/v1/messages.ts';

export type Received = { kind: 'message'; message: ServerMessage; at: number } | { kind: 'audio'; bytes: Buffer; at: number };

type MessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/**
 * A protocol v1 client for tests. Every text frame the gateway sends is parsed with the server schema, so a
 * frame that drifts from the protocol fails the test that received it.
 */
export class TestClient {
  readonly ws: WebSocket;
  readonly received: Received[] = [];
  readonly protocolErrors: string[] = [];
  #waiters: Array<() => void> = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const at = performance.now();
      if (isBinary) {
        this.received.push({ kind: 'audio', bytes: data, at });
      } else {
        const parsed = serverMessageSchema.safeParse(JSON.parse(data.toString('utf8')));
        if (parsed.success) this.received.push({ kind: 'message', message: parsed.data, at });
        else this.protocolErrors.push(`${data.toString('utf8')}: ${parsed.error.message}`);
      }
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  static async connect(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    const ws = new WebSocket(url, { headers });
    await once(ws, 'open');
    return new TestClient(ws);
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  sendAudio(bytes: Uint8Array): void {
    this.ws.send(bytes, { binary: true });
  }

  messages<T extends ServerMessage['type']>(type: T): MessageOf<T>[] {
    return this.received.flatMap((r) => (r.kind === 'message' && r.message.type === type ? [r.message as MessageOf<T>] : []));
  }

  audioBytes(): number {
    return this.received.reduce((sum, r) => sum + (r.kind === 'audio' ? r.bytes.length : 0), 0);
  }

  /** The next message of `type` (after `after` messages of that type were already seen), waiting up to `timeoutMs`. */
  async next<T extends ServerMessage['type']>(type: T, options: { after?: number; timeoutMs?: number; where?: (m: MessageOf<T>) => boolean } = {}): Promise<MessageOf<T>> {
    const { after = 0, timeoutMs = 15_000, where = () => true } = options;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages(type).filter(where)[after];
      if (found) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(`no ${type} within ${timeoutMs} ms; received: ${this.received.map((r) => (r.kind === 'audio' ? 'audio' : r.message.type)).join(', ')}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async start(fields: Record<string, unknown> = {}): Promise<MessageOf<'session_started'>> {
    const before = this.messages('session_started').length;
    this.send({ type: 'session_start', lang: 'en', ...fields });
    return this.next('session_started', { after: before });
  }

  async closed(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.CLOSED) throw new Error('already closed');
    const [code, reason] = (await once(this.ws, 'close')) as [number, Buffer];
    return { code, reason: reason.toString() };
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const done = once(this.ws, 'close');
    this.ws.close();
    await done;
  }
}

/** The HTTP status the gateway answers a WebSocket upgrade with: 101 when it is accepted. */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}
