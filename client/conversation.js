/**
 * The conversation as a UI shows it, folded from a client's events into immutable snapshots: the voice page and
 * the React hook render the same state.
 */
/** @import { S2SClient } from './s2s-client.js' */
/** @import { ConnectionState, S2SEvents } from './types.d.ts' */

/**
 * @typedef {object} Turn
 * @property {string} id
 * @property {string} user what the user said (the final transcript) or typed
 * @property {string} partial the transcript while the user is still speaking
 * @property {string} assistant the answer so far
 * @property {Array<{ name: string, args: unknown }>} toolCalls
 * @property {'listening' | 'answering' | 'done' | 'interrupted'} status
 * @property {Record<string, number>} [timings] `response_end.timings`, ms from the turn's start
 * @property {number} [playedMs] how much of the answer was played here
 */
/**
 * @typedef {object} ConversationState
 * @property {ConnectionState} connection
 * @property {{ code?: number, reason?: string, retryInMs?: number }} lastClose
 * @property {string | undefined} sessionId
 * @property {boolean} userSpeaking the gateway hears speech now
 * @property {Turn[]} turns oldest first
 * @property {S2SEvents['error'] | undefined} error the latest error, until the user speaks or types again
 */

/** Folds a client's events into snapshots; `subscribe` and `snapshot` fit React's useSyncExternalStore. */
export class Conversation {
  /** @type {ConversationState} */
  #state = { connection: 'idle', lastClose: {}, sessionId: undefined, userSpeaking: false, turns: [], error: undefined };
  /** @type {Set<() => void>} */
  #subscribers = new Set();
  /** @type {Array<() => void>} */
  #stops;
  /** A text turn waits for its turn id, which arrives with the first event of its answer. */
  #typed = '';

  /** @param {S2SClient} client */
  constructor(client) {
    this.#stops = [
      client.on('state', ({ state, code, reason, retryInMs }) => this.#set({ connection: state, ...(code !== undefined && { lastClose: { code, reason, retryInMs } }) })),
      client.on('session_started', ({ session_id }) => this.#set({ sessionId: session_id })),
      client.on('vad', ({ state }) => this.#set({ userSpeaking: state === 'speech_start' })),
      client.on('asr_partial', ({ turn_id, text }) => this.#turn(turn_id, { partial: text, status: 'listening' })),
      client.on('asr_final', ({ turn_id, text }) => {
        if (text.trim() !== '') this.#set({ error: undefined });
        this.#turn(turn_id, { user: text, partial: '', status: 'answering' });
      }),
      client.on('llm_token', ({ turn_id, token }) => this.#turn(turn_id, (t) => ({ assistant: t.assistant + token }))),
      client.on('tool_call', ({ turn_id, name, args }) => this.#turn(turn_id, (t) => ({ toolCalls: [...t.toolCalls, { name, args }] }))),
      client.on('response_end', ({ turn_id, interrupted, timings }) => this.#turn(turn_id, { status: interrupted ? 'interrupted' : 'done', timings })),
      client.on('error', (error) => this.#set({ error })),
      client.on('played', ({ turnId, playedMs }) => this.#turn(turnId, { playedMs: Math.round(playedMs) })),
      client.on('typed', ({ text }) => {
        this.#typed = text;
        this.#set({ error: undefined });
      }),
    ];
  }

  /** @returns {ConversationState} */
  snapshot = () => this.#state;

  /** @param {() => void} onChange @returns {() => void} */
  subscribe = (onChange) => {
    this.#subscribers.add(onChange);
    return () => this.#subscribers.delete(onChange);
  };

  dispose() {
    for (const stop of this.#stops) stop();
    this.#subscribers.clear();
  }

  /** @param {Partial<ConversationState>} changes */
  #set(changes) {
    this.#state = { ...this.#state, ...changes };
    for (const notify of this.#subscribers) notify();
  }

  /**
   * @param {string} id
   * @param {Partial<Turn> | ((turn: Turn) => Partial<Turn>)} change
   */
  #turn(id, change) {
    const turns = this.#state.turns;
    const index = turns.findIndex((t) => t.id === id);
    /** @type {Turn} */
    const turn = turns[index] ?? { id, user: this.#typed, partial: '', assistant: '', toolCalls: [], status: 'answering' };
    if (index < 0) this.#typed = '';
    const next = { ...turn, ...(typeof change === 'function' ? change(turn) : change) };
    this.#set({ turns: index < 0 ? [...turns, next] : turns.with(index, next) });
  }
}
