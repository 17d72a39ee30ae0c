/**
 * The protocol v1 client, for browsers and Node (both have a global WebSocket). Plain JavaScript checked by tsc
 * against the types the server derives from its own schemas, so the browser loads these files as they are.
 */
/** @import { ClientMessage, ServerMessage } from '../src/transports/v1/messages.ts' */
/** @import { ConnectionState, S2SClientOptions, S2SEvents, SessionOptions, StateChange, TalkMode } from './types.d.ts' */

// Close codes after which connecting again cannot help: a normal close, a frame the client should not have sent,
// a session over its length (resuming would only dodge the limit), a session another connection took over
// (taking it back would make two tabs fight over it).
const FINAL_CLOSE_CODES = new Set([1000, 1009, 4001, 4011]);
// The gateway is draining to restart (Service Restart): the session lives on in its store, so connect again at
// once (to the next URL, if several) and resume it. It is no failure: the attempts start over.
const RESTART_CLOSE_CODE = 1012;

/** An `error` message from the gateway as a thrown error, with its code and flags. */
export class S2SError extends Error {
  /** @param {S2SEvents['error']} error */
  constructor(error) {
    super(error.message);
    this.name = 'S2SError';
    this.code = error.code;
    this.recoverable = error.recoverable;
    this.retryable = error.retryable;
  }
}

/** A session with the gateway over protocol v1: connects, resumes after a lost connection, and types every event. */
export class S2SClient {
  /** @type {Map<keyof S2SEvents, Set<(event: any) => void>>} */
  #listeners = new Map();
  /** @type {WebSocket | undefined} */
  #ws;
  #options;
  /** @type {ConnectionState} */
  #state = 'idle';
  #attempt = 0;
  /** Which of the gateway URLs the next connection goes to. */
  #urlIndex = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #retryTimer;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  #keepAlive;
  /** @type {string | undefined} */
  #audioTurn;
  #outputRateHz = 0;
  #talking = false;
  /** @type {string | undefined} */
  sessionId;
  /** The latest `resume_secret`: sent with `session_id` when the session is resumed. @type {string | undefined} */
  resumeSecret;
  /** @type {TalkMode} */
  mode;

  /** @param {S2SClientOptions} options */
  constructor(options) {
    this.#options = options;
    this.sessionId = options.sessionId;
    this.resumeSecret = options.resumeSecret;
    this.mode = options.mode ?? 'hands-free';
  }

  get state() {
    return this.#state;
  }

  /** The rate of the answer audio, as `session_started` announced it (0 before). */
  get outputRateHz() {
    return this.#outputRateHz;
  }

  /**
   * Listens to one kind of event: a server message by its `type`, `message` (every one), `audio`, `state`,
   * `interrupt` (this client interrupted: stop playing now), or what this client told the gateway (`played`,
   * `typed`). Returns the way to stop listening.
   * @template {keyof S2SEvents} K
   * @param {K} type
   * @param {(event: S2SEvents[K]) => void} listener
   * @returns {() => void}
   */
  on(type, listener) {
    const set = this.#listeners.get(type) ?? new Set();
    this.#listeners.set(type, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * Opens the connection and starts (or resumes) the session, retrying a lost connection with backoff. Resolves
   * with `session_started`; rejects with an S2SError when the gateway refuses the start, or when it gives up.
   * @returns {Promise<S2SEvents['session_started']>}
   */
  connect() {
    clearTimeout(this.#retryTimer);
    // Connecting again replaces the connection, never adds a second one.
    this.#closeSocket(1000, 'reconnecting');
    this.#attempt = 0;
    return new Promise((resolve, reject) => {
      const stops = [
        this.on('session_started', (started) => {
          done();
          resolve(started);
        }),
        this.on('error', (error) => {
          if (this.#state === 'open') return;
          done();
          reject(new S2SError(error));
        }),
        this.on('state', ({ state, code, reason }) => {
          if (state !== 'closed') return;
          done();
          reject(new Error(`connection closed (${code ?? 'no code'}${reason ? `: ${reason}` : ''})`));
        }),
      ];
      const done = () => stops.forEach((stop) => stop());
      void this.#open();
    });
  }

  /**
   * Changes session settings (voice, language, ...): the session is resumed on a new connection with them, keeping
   * its memory.
   * @param {Partial<SessionOptions>} changes
   */
  async update(changes) {
    this.#options = { ...this.#options, session: { ...this.#options.session, ...changes } };
    return this.connect();
  }

  /** Ends the session: closes the connection and stops reconnecting. */
  close() {
    clearTimeout(this.#retryTimer);
    this.#closeSocket(1000, 'client closed');
    this.#setState({ state: 'closed', code: 1000 });
  }

  /**
   * Microphone audio: mono PCM16 at the rate announced in `session.audio`. In push-to-talk mode it is sent only
   * while talking. Returns whether it was sent.
   * @param {Int16Array<ArrayBuffer> | ArrayBuffer} pcm
   */
  sendAudio(pcm) {
    if (this.mode === 'push-to-talk' && !this.#talking) return false;
    return this.#sendRaw(pcm);
  }

  /** Push-to-talk pressed: the running answer stops, and audio flows until `stopTalking()`. */
  startTalking() {
    this.#talking = true;
    if (this.#audioTurn !== undefined) this.interrupt();
  }

  /** Push-to-talk released: the utterance ends now and is transcribed. */
  stopTalking() {
    if (!this.#talking) return;
    this.#talking = false;
    this.#send({ type: 'audio_end' });
  }

  /** @param {TalkMode} mode */
  setMode(mode) {
    if (mode === this.mode) return;
    // Leaving push-to-talk while held ends that utterance rather than leaving it open.
    this.stopTalking();
    this.mode = mode;
  }

  /** A typed turn. @param {string} text */
  text(text) {
    this.#emit('typed', { text });
    return this.#send({ type: 'text_input', text });
  }

  /** Stops the current answer: listeners of `interrupt` stop playback at once, the gateway stops the turn. */
  interrupt() {
    this.#emit('interrupt', { turnId: this.#audioTurn });
    this.#audioTurn = undefined;
    return this.#send({ type: 'interrupt' });
  }

  /**
   * How much of an answer was played, so the agent's memory keeps only what the user heard.
   * @param {string} turnId
   * @param {number} playedMs
   */
  reportPlayback(turnId, playedMs) {
    const played_ms = Math.max(0, Math.round(playedMs));
    this.#emit('played', { turnId, playedMs: played_ms });
    return this.#send({ type: 'playback', turn_id: turnId, played_ms });
  }

  async #open() {
    const urls = [this.#options.url].flat();
    const url = new URL(urls[this.#urlIndex % urls.length] ?? '');
    if (this.#attempt === 0) this.#setState({ state: 'connecting' });
    let token = this.#options.token;
    if (this.#options.getToken) {
      try {
        token = await this.#options.getToken();
      } catch (err) {
        // Like a refused connection: retried with backoff, then given up.
        return this.#lost(1006, `no client token: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (this.#state === 'closed') return;
    }
    if (token) url.searchParams.set('token', token);
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    ws.addEventListener('open', () => {
      if (ws !== this.#ws) return;
      ws.send(JSON.stringify(this.#startMessage()));
    });
    ws.addEventListener('message', (event) => {
      if (ws === this.#ws) this.#receive(event.data);
    });
    ws.addEventListener('close', (event) => {
      if (ws === this.#ws) this.#lost(event.code, event.reason);
    });
  }

  /**
   * The session's start, or its resumption by id after a lost connection, with the resume secret that proves
   * the session is this client's.
   * @returns {ClientMessage}
   */
  #startMessage() {
    return {
      type: 'session_start',
      ...this.#options.session,
      ...(this.sessionId && { session_id: this.sessionId, ...(this.resumeSecret && { resume_secret: this.resumeSecret }) }),
    };
  }

  /** @param {unknown} data */
  #receive(data) {
    if (data instanceof ArrayBuffer) {
      // Audio outside tts_start..tts_end belongs to an answer this client already stopped.
      if (this.#audioTurn === undefined) return;
      this.#emit('audio', { turnId: this.#audioTurn, pcm: new Int16Array(data, 0, data.byteLength >> 1), sampleRateHz: this.#outputRateHz });
      return;
    }
    /** @type {ServerMessage} */
    const message = JSON.parse(String(data));
    switch (message.type) {
      case 'session_started':
        this.sessionId = message.session_id;
        this.resumeSecret = message.resume_secret;
        this.#outputRateHz = message.audio_out.sample_rate;
        this.#attempt = 0;
        this.#startKeepAlive();
        this.#setState({ state: 'open' });
        break;
      case 'tts_start':
        this.#audioTurn = message.turn_id;
        break;
      case 'tts_end':
        if (this.#audioTurn === message.turn_id) this.#audioTurn = undefined;
        break;
    }
    this.#emit('message', message);
    this.#emit(message.type, message);
    // A refused session_start (an unknown voice, a bad format) leaves nothing to talk to.
    if (message.type === 'error' && this.#state !== 'open') {
      this.#closeSocket(1000, 'session refused');
      this.#setState({ state: 'closed', code: 1000, reason: message.code });
    }
  }

  /** @param {number} code @param {string} reason */
  #lost(code, reason) {
    this.#ws = undefined;
    this.#audioTurn = undefined;
    clearInterval(this.#keepAlive);
    const { retries = 8, minDelayMs = 250, maxDelayMs = 8_000 } = this.#options.reconnect ?? {};
    if (this.#state === 'closed' || FINAL_CLOSE_CODES.has(code) || this.#attempt >= retries) {
      this.#setState({ state: 'closed', code, reason });
      return;
    }
    if (code === RESTART_CLOSE_CODE) this.#attempt = 0;
    // Full jitter: clients cut off together by a restart do not all come back in the same instant.
    const retryInMs = Math.round(Math.random() * Math.min(maxDelayMs, minDelayMs * 2 ** this.#attempt));
    this.#attempt += 1;
    // With several gateways, the next one: the lost one may be gone, and any of them resumes the session.
    this.#urlIndex += 1;
    this.#setState({ state: 'reconnecting', code, reason, retryInMs });
    this.#retryTimer = setTimeout(() => void this.#open(), retryInMs);
  }

  #startKeepAlive() {
    clearInterval(this.#keepAlive);
    const every = this.#options.keepAliveMs ?? 30_000;
    if (every > 0) this.#keepAlive = setInterval(() => this.#send({ type: 'ping' }), every);
  }

  /** @param {number} code @param {string} reason */
  #closeSocket(code, reason) {
    const ws = this.#ws;
    this.#ws = undefined;
    clearInterval(this.#keepAlive);
    if (ws && ws.readyState <= 1) ws.close(code, reason);
  }

  /** @param {ClientMessage} message */
  #send(message) {
    return this.#sendRaw(JSON.stringify(message));
  }

  /** @param {string | ArrayBuffer | Int16Array<ArrayBuffer>} data */
  #sendRaw(data) {
    // Nothing is queued while disconnected: live audio would be stale, and a resumed session starts clean.
    if (this.#state !== 'open' || this.#ws?.readyState !== 1) return false;
    this.#ws.send(data);
    return true;
  }

  /** @param {StateChange} change */
  #setState(change) {
    this.#state = change.state;
    this.#emit('state', change);
  }

  /**
   * @template {keyof S2SEvents} K
   * @param {K} type
   * @param {S2SEvents[K]} event
   */
  #emit(type, event) {
    for (const listener of this.#listeners.get(type) ?? []) listener(event);
  }
}
