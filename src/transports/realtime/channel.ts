import type { WebSocket } from 'ws';
import { GatewayError } from '../../core/errors.ts';
import type { SessionEvent, SessionSink } from '../../session/events.ts';
import { CLOSE_CODES } from '../v1/close-codes.ts';
import { errorEvent, type RealtimeCodec, type ServerEvent } from './codec.ts';
import { encodeG711 } from './g711.ts';
import type { RealtimeSettings } from './settings.ts';

// Past this much unsent data the client is not keeping up: audio waits instead of piling up in memory.
const HIGH_WATER_BYTES = 1 << 20;
const DRAIN_POLL_MS = 5;

/**
 * A session's way out over a Realtime socket: every event a JSON text frame with its own `event_id`, audio as
 * base64 deltas in the session's output format. Errors caused by a client event carry that event's id.
 */
export class RealtimeChannel implements SessionSink {
  readonly #ws: WebSocket;
  readonly #codec: RealtimeCodec;
  readonly #settings: () => RealtimeSettings;
  #sent = 0;
  /** The client event being handled (and the field at fault), named by the errors it causes. */
  offending: { eventId: string | undefined; param?: string | undefined } | undefined;
  /** What the session said when it started: its id and the voice it speaks with. */
  started: { sessionId: string; voice: string } | undefined;

  constructor(ws: WebSocket, codec: RealtimeCodec, settings: () => RealtimeSettings) {
    this.#ws = ws;
    this.#codec = codec;
    this.#settings = settings;
  }

  get open(): boolean {
    return this.#ws.readyState === this.#ws.OPEN;
  }

  event(event: SessionEvent): void {
    if (event.type === 'started') this.started = { sessionId: event.sessionId, voice: event.voice };
    if (event.type === 'ended') {
      this.send(errorEvent(new GatewayError(event.code, event.message)));
      return this.close(CLOSE_CODES[event.code], event.message);
    }
    for (const server of this.#codec.event(event)) this.send(server);
  }

  audio(turnId: string, pcm: Int16Array): void {
    const output = this.#settings().output;
    const bytes = output.encoding === 'pcm16' ? new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength) : encodeG711(output.encoding, pcm);
    for (const server of this.#codec.audio(turnId, bytes)) this.send(server);
  }

  async drained(signal: AbortSignal): Promise<void> {
    while (this.open && this.#ws.bufferedAmount > HIGH_WATER_BYTES && !signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  }

  send(event: ServerEvent): void {
    if (!this.open) return;
    this.#sent += 1;
    if (event.type === 'error') {
      const error = event.error as { event_id: string | null | undefined; param: string | null | undefined };
      const offending = error.event_id === undefined ? this.offending : undefined;
      error.event_id = error.event_id ?? offending?.eventId ?? null;
      error.param = error.param ?? offending?.param ?? null;
    }
    this.#ws.send(JSON.stringify({ event_id: `event_${this.#sent}`, ...event }));
  }

  close(code: number, reason: string): void {
    if (this.#ws.readyState === this.#ws.OPEN || this.#ws.readyState === this.#ws.CONNECTING) this.#ws.close(code, reason);
  }
}
