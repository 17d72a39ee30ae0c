import type { WebSocket } from 'ws';
import type { SessionEvent, SessionSink } from '../../session/events.ts';
import { CLOSE_CODES } from './close-codes.ts';
import { toV1Message } from './codec.ts';
import type { ServerMessage } from './messages.ts';

// Past this much unsent data the client is not keeping up: audio waits instead of piling up in memory.
const HIGH_WATER_BYTES = 1 << 20;
const DRAIN_POLL_MS = 5;

/** A session's way out over a protocol v1 socket: JSON messages, binary PCM16 audio, and backpressure. */
export class V1Channel implements SessionSink {
  readonly #ws: WebSocket;

  constructor(ws: WebSocket) {
    this.#ws = ws;
  }

  get open(): boolean {
    return this.#ws.readyState === this.#ws.OPEN;
  }

  event(event: SessionEvent): void {
    if (event.type === 'ended') return this.close(CLOSE_CODES[event.code], event.message);
    const message = toV1Message(event);
    if (message) this.send(message);
  }

  send(message: ServerMessage): void {
    if (this.open) this.#ws.send(JSON.stringify(message));
  }

  audio(_turnId: string, pcm: Int16Array): void {
    if (this.open) this.#ws.send(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength), { binary: true });
  }

  async drained(signal: AbortSignal): Promise<void> {
    while (this.open && this.#ws.bufferedAmount > HIGH_WATER_BYTES && !signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  }

  close(code: number, reason: string): void {
    if (this.#ws.readyState === this.#ws.OPEN || this.#ws.readyState === this.#ws.CONNECTING) this.#ws.close(code, reason);
  }
}
