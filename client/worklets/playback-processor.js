/**
 * The speaker side: plays queued PCM16 answers in order. A turn starts once `prebufferMs` is queued (or its audio
 * is complete), and waits for that much again after running dry, so network jitter makes a pause, not crackle.
 * `clear` empties the queue before the next render quantum and answers with what was played. The queue holds at
 * most `maxBufferedMs`; audio beyond it is dropped and reported (`overflow`).
 */
class PlaybackProcessor extends AudioWorkletProcessor {
  /** @type {Array<{ turnId: string, pcm: Int16Array, offset: number }>} */
  #queue = [];
  #queuedFrames = 0;
  /** @type {string | undefined} */
  #turn;
  #played = 0;
  #totalPlayed = 0;
  /** @type {Set<string>} turns whose audio has all arrived */
  #complete = new Set();
  #buffering = true;
  #prebufferFrames;
  #maxFrames;
  #reportEveryFrames;
  #sinceReport = 0;

  /** @param {{ processorOptions?: unknown }} options */
  constructor(options) {
    super();
    const { prebufferMs = 60, maxBufferedMs = 300_000, reportEveryMs = 100 } = /** @type {Record<string, number>} */ (options.processorOptions ?? {});
    this.#prebufferFrames = Math.round((sampleRate * prebufferMs) / 1000);
    this.#maxFrames = Math.round((sampleRate * maxBufferedMs) / 1000);
    this.#reportEveryFrames = Math.round((sampleRate * reportEveryMs) / 1000);
    this.port.onmessage = (event) => this.#command(event.data);
  }

  /** @param {{ type: 'audio', turnId: string, pcm: Int16Array } | { type: 'end', turnId: string } | { type: 'clear' }} command */
  #command(command) {
    switch (command.type) {
      case 'audio':
        if (this.#queuedFrames + command.pcm.length > this.#maxFrames) {
          this.port.postMessage({ type: 'overflow', turnId: command.turnId, droppedFrames: command.pcm.length });
          return;
        }
        this.#queue.push({ turnId: command.turnId, pcm: command.pcm, offset: 0 });
        this.#queuedFrames += command.pcm.length;
        return;
      case 'end':
        // An answer already cleared (its end can arrive after the clear) is not remembered.
        if (this.#turn === command.turnId || this.#queue.some((c) => c.turnId === command.turnId)) this.#complete.add(command.turnId);
        return;
      case 'clear':
        this.port.postMessage({ type: 'cleared', turnId: this.#turn ?? this.#queue[0]?.turnId, playedFrames: this.#played, totalFrames: this.#totalPlayed });
        this.#queue = [];
        this.#queuedFrames = 0;
        this.#complete.clear();
        this.#turn = undefined;
        this.#played = 0;
        this.#buffering = true;
    }
  }

  /** @param {Float32Array[][]} _inputs @param {Float32Array[][]} outputs */
  process(_inputs, outputs) {
    const out = outputs[0]?.[0];
    if (!out) return true;
    out.fill(0);
    const head = this.#queue[0];
    if (this.#buffering) {
      if (!head || (this.#queuedFrames < this.#prebufferFrames && !this.#complete.has(head.turnId))) return true;
      this.#buffering = false;
    }
    let written = 0;
    while (written < out.length) {
      const chunk = this.#queue[0];
      if (!chunk) break;
      if (chunk.turnId !== this.#turn) this.#startTurn(chunk.turnId);
      const n = Math.min(out.length - written, chunk.pcm.length - chunk.offset);
      for (let i = 0; i < n; i++) out[written + i] = (chunk.pcm[chunk.offset + i] ?? 0) / 0x8000;
      chunk.offset += n;
      written += n;
      this.#played += n;
      this.#totalPlayed += n;
      this.#queuedFrames -= n;
      if (chunk.offset === chunk.pcm.length) this.#queue.shift();
    }
    this.#sinceReport += written;
    if (this.#sinceReport >= this.#reportEveryFrames) this.#report('played');
    if (this.#queue.length === 0 && this.#turn !== undefined) {
      if (this.#complete.has(this.#turn)) this.#startTurn(undefined);
      else this.#buffering = true;
    }
    return true;
  }

  /** @param {string | undefined} turnId */
  #startTurn(turnId) {
    if (this.#turn !== undefined) {
      this.#report('drained');
      this.#complete.delete(this.#turn);
    }
    this.#turn = turnId;
    this.#played = 0;
  }

  /** @param {'played' | 'drained'} type */
  #report(type) {
    this.#sinceReport = 0;
    if (this.#turn !== undefined) this.port.postMessage({ type, turnId: this.#turn, playedFrames: this.#played, totalFrames: this.#totalPlayed });
  }
}

registerProcessor('s2s-playback', PlaybackProcessor);
