import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Agent } from '../contracts/agent.ts';
import type { Config } from '../config/schema.ts';
import type { Slot } from '../app/slot.ts';
import type { VoiceEntry, VoiceRegistry } from '../app/voices.ts';
import { CLOSE_CODES, GatewayError } from '../core/errors.ts';
import { parseClientFrame } from '../transports/v1/parse.ts';
import { speakerIndex } from '../contracts/tts.ts';
import type { ClientMessage, SessionStart } from '../transports/v1/messages.ts';
import type { TtsSettings } from './store.ts';
import type { ClientChannel } from '../transports/v1/channel.ts';
import type { SessionStore } from './store.ts';
import type { ErrorStage } from '../observability/metrics.ts';
import type { SessionTelemetry, TurnTelemetry } from './telemetry.ts';
import { Turn, type InterruptKind } from './turn.ts';
import type { VoiceInput, VoiceInputFactory } from './voice-input.ts';

export interface SessionDeps {
  config: Config;
  agent: Slot<Agent>;
  voices: VoiceRegistry;
  store: SessionStore;
  createVoiceInput: VoiceInputFactory;
  log: Logger;
  telemetry: SessionTelemetry;
}

/** A turn about to start: typed text, or a final transcript from the voice input. */
export interface NextTurn {
  id: string;
  text: string;
  /** performance.now() when the turn's clock starts: end of user speech, or the text's arrival. */
  startedAt: number;
  /** Stage times measured before the turn (VAD, ASR). */
  timings?: Record<string, number>;
  source: 'text' | 'voice';
  /** The language ASR detected, for a session started with lang 'auto'. */
  lang?: string;
  telemetry: TurnTelemetry;
}

interface Started {
  id: string;
  lang: string;
  /** A voice the client named; otherwise each turn speaks with its language's voice. */
  voice: VoiceEntry | undefined;
  tts: TtsSettings;
  voiceInput: VoiceInput | undefined;
}

/**
 * One client connection speaking protocol v1. Bad input gets an `error` and the session goes on; only the limits
 * close it. At most one turn runs at a time; a new one interrupts the old.
 */
export class Session {
  readonly #deps: SessionDeps;
  readonly #channel: ClientChannel;
  #log: Logger;
  #started: Started | undefined;
  #turn: Turn | undefined;
  /** Conversation-memory updates of earlier turns; a turn starts after them so memory stays in order. */
  #memory: Promise<void> = Promise.resolve();
  #idleTimer: NodeJS.Timeout;
  readonly #lifetimeTimer: NodeJS.Timeout;
  #closed = false;

  constructor(channel: ClientChannel, deps: SessionDeps) {
    this.#channel = channel;
    this.#deps = deps;
    this.#log = deps.log;
    const { idleTimeoutMs, maxSessionMs } = deps.config.limits;
    this.#idleTimer = setTimeout(() => this.#closeFor('idleTimeout', `no message for ${idleTimeoutMs} ms`), idleTimeoutMs);
    this.#lifetimeTimer = setTimeout(() => this.#closeFor('sessionTooLong', `session longer than ${maxSessionMs} ms`), maxSessionMs);
  }

  get id(): string | undefined {
    return this.#started?.id;
  }

  /** One frame from the client. Never throws: every problem becomes an `error` message. */
  async receive(data: Buffer, isBinary: boolean): Promise<void> {
    if (this.#closed) return;
    this.#idleTimer.refresh();
    if (isBinary) return this.#receiveAudio(data);
    const parsed = parseClientFrame(data);
    if (!parsed.ok) return this.#error(parsed.error);
    try {
      await this.#dispatch(parsed.message);
    } catch (err) {
      const error = err instanceof GatewayError ? err : new GatewayError('internal', (err as Error).message, { cause: err });
      if (error.code === 'internal') this.#log.error({ err }, 'message handling failed');
      this.#error(error);
    }
  }

  async #dispatch(message: ClientMessage): Promise<void> {
    if (message.type === 'ping') return this.#channel.send({ type: 'pong' });
    if (message.type === 'session_start') return this.#start(message);
    const started = this.#started;
    if (!started) throw new GatewayError('not_started', `send session_start before ${message.type}`);
    switch (message.type) {
      case 'text_input':
        return this.#textInput(started, message.text);
      case 'interrupt':
        return this.#interrupt('client');
      case 'audio_end':
        if (!started.voiceInput) throw new GatewayError('audio_not_expected', 'audio_end on a session started without an audio format');
        return started.voiceInput.end();
      case 'playback':
        return this.#playback(message.turn_id, message.played_ms);
    }
  }

  async #start(message: SessionStart): Promise<void> {
    if (this.#started) throw new GatewayError('already_started', `this connection already has session ${this.#started.id}`);
    const { voices, store } = this.#deps;
    const id = message.session_id ?? randomUUID();
    const previous = message.session_id ? await store.get(id) : undefined;
    const lang = message.lang ?? previous?.lang ?? 'en';
    const requestedVoice = message.voice ?? previous?.voice;
    const tts: TtsSettings = { ...previous?.tts, ...message.tts };
    const named = requestedVoice !== undefined && voices.has(requestedVoice) ? voices.select(lang, requestedVoice) : undefined;
    // Older clients name a speaker of the voice in `voice`; `tts.speaker` is the explicit way.
    if (requestedVoice !== undefined && !named && tts.speaker === undefined) tts.speaker = requestedVoice;
    const voice = named ?? voices.select(lang);
    this.#checkSpeaker(voice, tts.speaker);
    // The voice input validates the format before anything is kept, so a refused format leaves no half-session.
    const voiceInput = message.audio ? await this.#deps.createVoiceInput(message.audio, { id, lang }, this.#voiceHandlers()) : undefined;
    this.#started = { id, lang, voice: named, tts, voiceInput };
    this.#log = this.#log.child({ sessionId: id });
    await store.put(id, { lang, voice: named?.name, tts, createdAt: Date.now() });
    this.#deps.telemetry.started({ sessionId: id, lang, voice: voice.name, resumed: previous !== undefined });
    this.#channel.send({
      type: 'session_started',
      session_id: id,
      resumed: previous !== undefined,
      lang,
      voice: voice.name,
      audio_out: { sample_rate: voice.sampleRateHz, format: 'pcm16', channels: 1 },
    });
    this.#log.info({ resumed: previous !== undefined, lang, voice: voice.name, audio: message.audio !== undefined }, 'session started');
  }

  /** Says so at once when the voice is loaded and has no such speaker; turns then use its default speaker. */
  #checkSpeaker(voice: VoiceEntry, speaker: TtsSettings['speaker']): void {
    const speakers = voice.slot.value?.speakers;
    if (speaker === undefined || speakers === undefined || speakerIndex(speakers, speaker) !== undefined) return;
    this.#error(new GatewayError('invalid_message', `voice ${voice.name} has no speaker "${speaker}"; using its default speaker`));
  }

  #textInput(started: Started, text: string): void {
    const { maxTextChars } = this.#deps.config.limits;
    if (text.trim() === '') throw new GatewayError('empty_text', 'text_input needs some text');
    if (text.length > maxTextChars) throw new GatewayError('text_too_long', `text_input is ${text.length} characters; the limit is ${maxTextChars}`);
    const startedAt = performance.now();
    const id = randomUUID();
    this.#startTurn(started, { id, text, startedAt, source: 'text', telemetry: this.#deps.telemetry.turn(id, startedAt) });
  }

  #startTurn(started: Started, next: NextTurn): void {
    if (this.#turn && !this.#turn.ended) this.#interrupt('new_input');
    const agent = this.#deps.agent.get();
    const lang = next.lang ?? started.lang;
    const synthesizer = (started.voice ?? this.#deps.voices.select(lang)).slot.get();
    const { speaker, length_scale, noise_scale, noise_w } = started.tts;
    const ready = this.#memory;
    const turn = Turn.start(
      { id: next.id, threadId: started.id, text: next.text, lang, startedAt: next.startedAt, source: next.source, ...(next.timings && { timings: next.timings }) },
      {
        respond: (input) => afterMemory(ready, () => agent.respond(input)),
        synthesizer,
        synthesis: {
          language: lang,
          speaker: speaker !== undefined && speakerIndex(synthesizer.speakers, speaker) !== undefined ? speaker : undefined,
          engineOptions: { length_scale, noise_scale, noise_w },
        },
        channel: this.#channel,
        telemetry: next.telemetry,
        onError: (error, stage) => this.#deps.telemetry.error(stage, error.code),
      },
    );
    this.#turn = turn;
    this.#memory = turn.finished.then(async (result) => {
      if (result.outcome === 'interrupted') await this.#truncate(started.id, result.heardText);
    });
  }

  #interrupt(kind: InterruptKind): void {
    const turn = this.#turn;
    if (!turn || turn.ended) return;
    turn.interrupt();
    this.#deps.telemetry.interrupted(kind);
    this.#log.info({ kind, turnId: turn.input.id }, 'turn interrupted');
  }

  /** The client says how much of a response it played: memory keeps only that much of the answer. */
  #playback(turnId: string, playedMs: number): void {
    const turn = this.#turn;
    const started = this.#started;
    if (!turn || !started || turn.input.id !== turnId) return;
    this.#memory = this.#memory.then(async () => {
      await turn.finished;
      if (playedMs < turn.audio.sentMs) await this.#truncate(started.id, turn.audio.heardText(playedMs));
    });
  }

  async #truncate(threadId: string, heardText: string): Promise<void> {
    try {
      await this.#deps.agent.get().truncateLastAnswer(threadId, heardText);
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'cutting the answer to what was heard failed');
    }
  }

  #receiveAudio(data: Buffer): void {
    const started = this.#started;
    if (!started) return this.#error(new GatewayError('not_started', 'send session_start (with an audio format) before audio'));
    if (!started.voiceInput) return this.#error(new GatewayError('audio_not_expected', 'this session was started without an audio format'));
    started.voiceInput.push(data);
  }

  #voiceHandlers(): Parameters<VoiceInputFactory>[2] {
    return {
      send: (message) => this.#channel.send(message),
      speaking: () => this.#turn !== undefined && !this.#turn.ended,
      bargeIn: () => this.#interrupt('barge_in'),
      utterance: (next) => {
        const started = this.#started;
        if (!started) return;
        try {
          this.#startTurn(started, next);
        } catch (err) {
          this.#error(err instanceof GatewayError ? err : new GatewayError('internal', (err as Error).message));
        }
      },
      error: (error, stage) => this.#error(error, stage),
    };
  }

  #error(error: GatewayError, stage: ErrorStage = 'session'): void {
    this.#deps.telemetry.error(stage, error.code);
    this.#channel.send({ type: 'error', code: error.code, message: error.message, recoverable: error.recoverable });
  }

  #closeFor(reason: keyof typeof CLOSE_CODES, message: string): void {
    this.#log.info({ reason }, 'session closed by limit');
    void this.close(reason, message);
  }

  /**
   * Ends everything the session holds, and the connection too when a reason is given; safe to call more than
   * once. Resolves when memory writes are done.
   */
  async close(reason?: keyof typeof CLOSE_CODES, message = ''): Promise<void> {
    if (!this.#closed) this.#turn?.interrupt();
    if (reason) this.#channel.close(CLOSE_CODES[reason].code, message);
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#lifetimeTimer);
    this.#started?.voiceInput?.close();
    this.#deps.telemetry.closed();
    await this.#memory;
  }
}

/** Runs an agent stream only after earlier memory updates have landed. */
async function* afterMemory<T>(ready: Promise<void>, run: () => AsyncIterable<T>): AsyncIterable<T> {
  await ready;
  yield* run();
}
