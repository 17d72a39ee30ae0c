/**
 * One resource loaded once for many holders (every Kokoro voice shares one model): the first `acquire` loads it,
 * each holder releases its hold, and the last release closes it. A failed load is every holder's failure, and the
 * next `acquire` tries again.
 */
export class SharedLoad<C, T extends { close(): Promise<void> }> {
  readonly #load: (context: C) => Promise<T>;
  #loading: Promise<T> | undefined;
  #holders = 0;

  constructor(load: (context: C) => Promise<T>) {
    this.#load = load;
  }

  /** The first holder's `context` (when to give up, where to log) is the load's. */
  async acquire(context: C): Promise<{ value: T; release: () => Promise<void> }> {
    this.#holders++;
    const loading = (this.#loading ??= this.#load(context));
    let value: T;
    try {
      value = await loading;
    } catch (err) {
      this.#holders--;
      if (this.#loading === loading) this.#loading = undefined;
      throw err;
    }
    let released = false;
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      if (--this.#holders > 0) return;
      this.#loading = undefined;
      await value.close();
    };
    return { value, release };
  }
}
