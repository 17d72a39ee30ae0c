/**
 * Cancellation for one HTTP exchange with a server that may go quiet. Its `signal` (given to fetch) aborts when
 * the caller's signal does, when `cancel()` is called, or when the server sends nothing for `timeoutMs` while
 * we wait on it. Time the caller spends with data in hand does not count: `pause()` before handing data over,
 * `wait()` when asking for more.
 */
export class ServerExchange {
  readonly #controller = new AbortController();
  readonly #timeoutMs: number;
  readonly #caller: AbortSignal | undefined;
  readonly #onCallerAbort = () => this.#controller.abort(this.#caller?.reason);
  #timer: NodeJS.Timeout | undefined;
  #timedOut = false;

  /** Starts waiting on the server at once. */
  constructor(timeoutMs: number, caller?: AbortSignal) {
    this.#timeoutMs = timeoutMs;
    this.#caller = caller;
    caller?.addEventListener('abort', this.#onCallerAbort, { once: true });
    if (caller?.aborted === true) this.#onCallerAbort();
    this.wait();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The server stayed quiet for `timeoutMs`. */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  wait(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort(new Error(`nothing from the server for ${this.#timeoutMs} ms`));
    }, this.#timeoutMs);
  }

  pause(): void {
    clearTimeout(this.#timer);
  }

  cancel(reason: Error): void {
    this.#controller.abort(reason);
  }

  /** Stops the clock and frees the connection; an unread response body is dropped by closing it. */
  end(): void {
    clearTimeout(this.#timer);
    this.#caller?.removeEventListener('abort', this.#onCallerAbort);
    this.#controller.abort(new Error('exchange ended'));
  }
}

/**
 * Reads a response body as text, up to `maxBytes`, restarting the quiet clock on every piece. `truncated` says
 * the body went on past the limit (the rest is left unread).
 */
export async function readText(body: AsyncIterable<Uint8Array>, maxBytes: number, exchange: ServerExchange): Promise<{ text: string; truncated: boolean }> {
  const pieces: Uint8Array[] = [];
  let size = 0;
  for await (const piece of body) {
    exchange.wait();
    const room = maxBytes - size;
    if (piece.length > room) {
      pieces.push(piece.subarray(0, room));
      return { text: Buffer.concat(pieces).toString('utf8'), truncated: true };
    }
    pieces.push(piece);
    size += piece.length;
  }
  return { text: Buffer.concat(pieces).toString('utf8'), truncated: false };
}
