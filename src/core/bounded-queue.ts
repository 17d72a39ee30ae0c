/**
 * What a full queue does with one more item:
 * - `refuse`: `offer` returns false and `push` rejects with a QueueFullError; the caller fails loudly.
 * - `drop-oldest`: the item served next (the oldest, without lanes) makes room and goes to `onDrop`.
 * - `block`: `push` waits for room; `offer` returns false.
 */
export type OverflowPolicy = 'refuse' | 'drop-oldest' | 'block';

export interface BoundedQueueOptions<T> {
  capacity: number;
  overflow: OverflowPolicy;
  /**
   * Serves the items round-robin by lane (a session, say): each lane's items stay in order, and a lane with a
   * burst waits its turn behind every other lane that has something waiting. Without it, one FIFO.
   */
  laneOf?: (item: T) => string;
  /**
   * Lanes served only when no other lane has something waiting (batch work sharing a pool with live sessions):
   * among themselves they still take turns.
   */
  isBackgroundLane?: (lane: string) => boolean;
  /** Told of each item `drop-oldest` dropped. */
  onDrop?: (item: T) => void;
}

export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

export class QueueClosedError extends Error {
  override name = 'QueueClosedError';
}

/** Always an Error named AbortError; a reason that is not already one is kept as its `cause`. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return Object.assign(new Error('The operation was aborted', { cause: reason }), { name: 'AbortError' });
}

interface Waiter<V> {
  resolve(value: V): void;
  reject(err: Error): void;
}

/** A `push` waiting for room (policy `block`). */
interface BlockedPush<T> extends Waiter<void> {
  item: T;
}

/**
 * A bounded queue with a named overflow policy. Producers `offer` (never waits) or `push` (waits for room under
 * `block`); consumers `shift` synchronously (a pool handing work to a free worker) or iterate `items(signal)`
 * (a stage reading phrases as they come). Every wait takes an AbortSignal, and an aborted wait gives its place
 * up at once. `close()` ends the producers' side: the consumers get what is left, then the end.
 */
export class BoundedQueue<T> {
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
  readonly #laneOf: ((item: T) => string) | undefined;
  readonly #onDrop: ((item: T) => void) | undefined;
  readonly #isBackgroundLane: ((lane: string) => boolean) | undefined;
  /** Insertion order of the map is the rotation: the next lane to serve is the first one. */
  readonly #lanes = new Map<string, T[]>();
  #size = 0;
  #closed = false;
  readonly #blocked: BlockedPush<T>[] = [];
  readonly #takers: Waiter<IteratorResult<T, undefined>>[] = [];

  constructor(options: BoundedQueueOptions<T>) {
    if (!(options.capacity >= 0)) throw new RangeError(`a queue's capacity is a size, got ${options.capacity}`);
    this.capacity = options.capacity;
    this.overflow = options.overflow;
    this.#laneOf = options.laneOf;
    this.#onDrop = options.onDrop;
    this.#isBackgroundLane = options.isBackgroundLane;
  }

  /** Items waiting to be taken (not counting blocked pushes). */
  get size(): number {
    return this.#size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Adds `item` now if the policy allows it without waiting; false (nothing added) if not, or once closed. */
  offer(item: T): boolean {
    if (this.#closed) return false;
    if (this.#handToTaker(item)) return true;
    if (this.#size >= this.capacity) {
      if (this.overflow !== 'drop-oldest' || this.#size === 0) return false;
      this.#onDrop?.(this.#take() as T);
    }
    this.#add(item);
    return true;
  }

  /**
   * Adds `item`, waiting for room under `block`. Rejects with a QueueFullError when `refuse` finds the queue full
   * (or `block` cannot ever make room: a capacity of 0), a QueueClosedError once closed, and an AbortError once
   * `signal` aborts (a blocked push then leaves its place at once).
   */
  push(item: T, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    if (this.#closed) return Promise.reject(new QueueClosedError('the queue is closed'));
    if (this.offer(item)) return Promise.resolve();
    if (this.overflow !== 'block' || this.capacity === 0) {
      return Promise.reject(new QueueFullError(`the queue holds ${this.capacity} items already`));
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#blocked.indexOf(blocked);
        if (index >= 0) this.#blocked.splice(index, 1);
        reject(abortError(signal));
      };
      const blocked: BlockedPush<T> = {
        item,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (err) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#blocked.push(blocked);
    });
  }

  /** The next item to serve, now; its lane moves to the back of the rotation. */
  shift(): T | undefined {
    const item = this.#take();
    if (item !== undefined) this.#admitBlocked();
    return item;
  }

  /** Up to `max` items in serving order, now (a batch). */
  shiftMany(max: number): T[] {
    const items: T[] = [];
    for (let item: T | undefined; items.length < max && (item = this.#take()) !== undefined; ) items.push(item);
    this.#admitBlocked();
    return items;
  }

  /** Takes out one waiting item (an aborted request) and frees its place; false if it was not waiting. */
  remove(item: T): boolean {
    const lane = this.#laneOf?.(item) ?? '';
    const items = this.#lanes.get(lane);
    const index = items?.indexOf(item) ?? -1;
    if (items === undefined || index < 0) return false;
    items.splice(index, 1);
    if (items.length === 0) this.#lanes.delete(lane);
    this.#size--;
    this.#admitBlocked();
    return true;
  }

  /**
   * Items as they come, in serving order, until the queue is closed and empty. Throws an AbortError once
   * `signal` aborts, even while waiting for the next item.
   */
  async *items(signal: AbortSignal): AsyncGenerator<T, void, undefined> {
    for (;;) {
      const next = await this.#next(signal);
      if (next.done === true) return;
      yield next.value;
    }
  }

  /**
   * No more items come in: blocked pushes reject with a QueueClosedError, consumers get what is waiting and then
   * the end. Returns nothing; `clear()` takes what is waiting when nobody will consume it.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const blocked of this.#blocked.splice(0)) blocked.reject(new QueueClosedError('the queue was closed'));
    if (this.#size === 0) for (const taker of this.#takers.splice(0)) taker.resolve({ done: true, value: undefined });
  }

  /** Empties the queue, returning every waiting item in serving order. */
  clear(): T[] {
    return this.shiftMany(this.#size);
  }

  #next(signal: AbortSignal): Promise<IteratorResult<T, undefined>> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    const item = this.shift();
    if (item !== undefined) return Promise.resolve({ done: false, value: item });
    if (this.#closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#takers.indexOf(taker);
        if (index >= 0) this.#takers.splice(index, 1);
        reject(abortError(signal));
      };
      const taker: Waiter<IteratorResult<T, undefined>> = {
        resolve: (result) => {
          signal.removeEventListener('abort', onAbort);
          resolve(result);
        },
        reject,
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#takers.push(taker);
    });
  }

  /** A consumer already waiting gets `item` directly; the queue is empty whenever one waits. */
  #handToTaker(item: T): boolean {
    const taker = this.#takers.shift();
    taker?.resolve({ done: false, value: item });
    return taker !== undefined;
  }

  #add(item: T): void {
    const lane = this.#laneOf?.(item) ?? '';
    const items = this.#lanes.get(lane);
    if (items) items.push(item);
    else this.#lanes.set(lane, [item]);
    this.#size++;
  }

  #take(): T | undefined {
    const next = this.#nextLane();
    if (next === undefined) return undefined;
    const [lane, items] = next;
    const item = items.shift();
    this.#lanes.delete(lane);
    if (items.length > 0) this.#lanes.set(lane, items);
    this.#size--;
    return item;
  }

  /** The first lane in the rotation, skipping background lanes while a foreground one has items. */
  #nextLane(): [string, T[]] | undefined {
    let firstBackground: [string, T[]] | undefined;
    for (const entry of this.#lanes) {
      if (!this.#isBackgroundLane?.(entry[0])) return entry;
      firstBackground ??= entry;
    }
    return firstBackground;
  }

  /** Blocked pushes take the room that was just made, in the order they came. */
  #admitBlocked(): void {
    while (this.#size < this.capacity) {
      const blocked = this.#blocked.shift();
      if (blocked === undefined) return;
      this.#add(blocked.item);
      blocked.resolve();
    }
  }
}
