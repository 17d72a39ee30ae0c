/**
 * A bounded queue served round-robin by key (a session): each key's items stay in order, and a key with a burst
 * waits its turn behind every other key that has something waiting. Policy when full: `push` refuses (the caller
 * fails loudly).
 */
export class FairQueue<T> {
  readonly capacity: number;
  /** Insertion order of the map is the rotation: the next key to serve is the first one. */
  readonly #byKey = new Map<string, T[]>();
  #size = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#size;
  }

  /** Adds `item` behind `key`'s earlier items; false (and nothing added) when the queue is full. */
  push(key: string, item: T): boolean {
    if (this.#size >= this.capacity) return false;
    const items = this.#byKey.get(key);
    if (items) items.push(item);
    else this.#byKey.set(key, [item]);
    this.#size++;
    return true;
  }

  /** The next item in round-robin order; its key moves to the back of the rotation. */
  shift(): T | undefined {
    const next = this.#byKey.entries().next();
    if (next.done) return undefined;
    const [key, items] = next.value;
    const item = items.shift();
    this.#byKey.delete(key);
    if (items.length > 0) this.#byKey.set(key, items);
    this.#size--;
    return item;
  }

  /** Removes one waiting item (an aborted request); false if it was not waiting. */
  remove(key: string, item: T): boolean {
    const items = this.#byKey.get(key);
    const index = items?.indexOf(item) ?? -1;
    if (!items || index < 0) return false;
    items.splice(index, 1);
    if (items.length === 0) this.#byKey.delete(key);
    this.#size--;
    return true;
  }

  /** Empties the queue, returning every waiting item. */
  drain(): T[] {
    const all = [...this.#byKey.values()].flat();
    this.#byKey.clear();
    this.#size = 0;
    return all;
  }
}
