import type { SessionEvent, SessionSink } from './events.ts';

type Held = { event: SessionEvent } | { turnId: string; pcm: Int16Array };

/**
 * The sink of a speculative turn: everything it says waits here, in order, until the turn is committed (then it
 * goes out at once and later output passes straight through) or dropped (then it is forgotten). What waits is
 * bounded by the turn, which produces only its first phrase before it is committed.
 */
export class HeldSink implements SessionSink {
  readonly #sink: SessionSink;
  #held: Held[] | undefined = [];
  #dropped = false;

  constructor(sink: SessionSink) {
    this.#sink = sink;
  }

  event(event: SessionEvent): void {
    if (this.#dropped) return;
    if (this.#held) this.#held.push({ event });
    else this.#sink.event(event);
  }

  audio(turnId: string, pcm: Int16Array): void {
    if (this.#dropped) return;
    // The caller may reuse its buffer once this returns.
    if (this.#held) this.#held.push({ turnId, pcm: pcm.slice() });
    else this.#sink.audio(turnId, pcm);
  }

  drained(signal: AbortSignal): Promise<void> {
    // Nothing reaches the client while held, so the client's backlog is not this turn's to wait for yet.
    return this.#held || this.#dropped ? Promise.resolve() : this.#sink.drained(signal);
  }

  release(): void {
    const held = this.#held;
    if (!held || this.#dropped) return;
    this.#held = undefined;
    for (const item of held) {
      if ('event' in item) this.#sink.event(item.event);
      else this.#sink.audio(item.turnId, item.pcm);
    }
  }

  drop(): void {
    this.#dropped = true;
    this.#held = undefined;
  }
}
