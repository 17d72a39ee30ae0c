import type { WebSocket } from 'ws';
import type { ServerMessage } from './messages.ts';

// Past this much unsent data the client is not keeping up: audio waits instead of piling up in memory.
const HIGH_WATER_BYTES = 1 << 20;
const DRAIN_POLL_MS = 5;

/** The session's way out to the client: typed messages, audio, and backpressure. */
export class ClientChannel {
  readonly #ws: WebSocket;

  constructor(ws: WebSocket) {
    this.#ws = ws;
  }

  get open(): boolean {
    return this.#ws.readyState === this.#ws.OPEN;
  }

  send(message: ServerMessage): void {
    if (this.open) this.#ws.send(JSON.stringify(message));
  }

  sendAudio(pcm: Int16Array): void {
    if (this.open) this.#ws.send(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength), { binary: true });
  }

  /** Resolves once the socket's send buffer is below the high-water mark (or the signal aborts). */
  async drained(signal: AbortSignal): Promise<void> {
    while (this.open && this.#ws.bufferedAmount > HIGH_WATER_BYTES && !signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  }

  close(code: number, reason: string): void {
    if (this.#ws.readyState === this.#ws.OPEN || this.#ws.readyState === this.#ws.CONNECTING) this.#ws.close(code, reason);
  }
}
