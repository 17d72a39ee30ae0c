import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AudioFormat } from '../audio/audio-format.ts';
import type { Agent, ClientTool, ConversationItem } from '../contracts/agent.ts';
import { speakerIndex } from '../contracts/tts.ts';
import type { Voice, Voices } from '../contracts/voices.ts';
import { GatewayError, type SessionEndCode } from '../core/errors.ts';
import type { Release } from './admission.ts';
import {
  DEFAULT_TURN_TAKING,
  type RespondOptions,
  type SessionEvent,
  type SessionOptions,
  type SessionSink,
  type SessionUpdate,
  type SpeechSettings,
  type TurnTaking,
} from './events.ts';
import { OutputAudio } from './output-audio.ts';
import { checkOutputRate, chooseVoice, mergeSpeech } from './voice-choice.ts';
import { transcribeRecording } from './recording.ts';
import type { Lease, SessionLeases } from './leases.ts';
import { mayResume, newResumeSecret, newSessionId, sessionLogRef } from './ownership.ts';
import type { SessionStore } from './store.ts';
import type { SessionTelemetry } from './telemetry.ts';
import { RecentTurns } from './recent-turns.ts';
import type { PhraseChunkerOptions } from '../stages/chunker/chunker.ts';
import { Turn } from './turn.ts';
import type { InterruptionKind } from '../observability/metrics.ts';
import type { NextTurn, Speculation, VoiceInput, VoiceInputFactory } from './voice-input.ts';

/** The limits a session enforces itself. */
export interface SessionLimits {
  maxTextChars: number;
  /** Nothing from the client, and no answer from the gateway, for this long ends the session. */
  idleTimeoutMs: number;
  maxSessionMs: number;
  /** Turns started in any minute; more are refused with `turn_rate_limited`. */
  maxTurnsPerMinute: number;
}

const RATE_WINDOW_MS = 60_000;

/** What a session borrows from the gateway: narrow, so tests can hand it fakes. */
export interface SessionDeps {
  limits: SessionLimits;
  /** How answers are cut into phrases for synthesis (the first phrase's clause rule). */
  chunker?: PhraseChunkerOptions;
  /** The loaded agent, or GatewayError('model_not_ready'). */
  agent(): Agent;
  voices: Voices;
  store: SessionStore;
  /** One live connection per session: starting one takes it over from the connection holding it. */
  leases: SessionLeases;
  /** The id of the API key the client connected with; undefined on a gateway without keys. */
  owner: string | undefined;
  createVoiceInput: VoiceInputFactory;
  /** A synthesis slot for a spoken turn, or GatewayError('tts_busy'): taken before the LLM is called. */
  reserveSpeech(): Release;
  log: Logger;
  telemetry: SessionTelemetry;
}

interface Started {
  id: string;
  lang: string;
  /** A voice the client named; otherwise each turn speaks with its language's voice. */
  voice: Voice | undefined;
  speech: SpeechSettings;
  output: OutputAudio;
  audioIn: AudioFormat | undefined;
  voiceInput: VoiceInput | undefined;
  turnTaking: TurnTaking;
  instructions: string | undefined;
  clientTools: readonly ClientTool[];
  speak: boolean;
}

/**
 * One conversation, whatever door the client came through. It takes typed commands and tells its sink what
 * happens as typed events and audio. Bad input gets an `error` event and the session goes on; only its limits end
 * it. At most one turn runs at a time; a new one interrupts the old. Commands never throw. `start` is async: a
 * transport awaits it before giving the session the client's next command.
 */
export class Session {
  readonly #deps: SessionDeps;
  readonly #sink: SessionSink;
  #log: Logger;
  #started: Started | undefined;
  #turn: Turn | undefined;
  /** Gives back the running turn's synthesis slot: when it finishes, or at once when it is interrupted. */
  #releaseSpeech: Release | undefined;
  /** Each turn's synthesis slot, given back when the turn finishes (or at once when it is interrupted). */
  readonly #speechSlots = new WeakMap<Turn, Release>();
  /** The last turns as the client saw them, for the turn detector of adaptive endpointing. */
  readonly #recentTurns = new RecentTurns();
  /** A draft turn started during the user's pause, until it is committed or dropped. */
  #draft: Turn | undefined;
  /** Conversation-memory updates of earlier turns; a turn starts after them so memory stays in order. */
  #memory: Promise<void> = Promise.resolve();
  readonly #idleTimer: NodeJS.Timeout;
  readonly #lifetimeTimer: NodeJS.Timeout;
  /** When the turns of the last minute started, oldest first. */
  readonly #turnStarts: number[] = [];
  #closed = false;
  #lease: Lease | undefined;
  readonly #ended = Promise.withResolvers<void>();

  constructor(sink: SessionSink, deps: SessionDeps) {
    this.#sink = sink;
    this.#deps = deps;
    this.#log = deps.log;
    const { idleTimeoutMs, maxSessionMs } = deps.limits;
    this.#idleTimer = setTimeout(() => this.#idle(), idleTimeoutMs);
    this.#lifetimeTimer = setTimeout(() => void this.end('session_too_long', `session longer than ${maxSessionMs} ms`), maxSessionMs);
  }

  get id(): string | undefined {
    return this.#started?.id;
  }

  /** Settles when the running turn has finished; undefined when none runs. */
  get turnFinished(): Promise<unknown> | undefined {
    const turn = this.#turn;
    return turn && !turn.ended ? turn.finished : undefined;
  }

  /** Settles once the session has ended and its memory writes are done. */
  get ended(): Promise<void> {
    return this.#ended.promise;
  }

  /** Starts the session, or resumes the one named by `sessionId` with its settings and memory. */
  async start(options: SessionOptions): Promise<void> {
    if (!this.#accept()) return;
    try {
      await this.#start(options);
    } catch (err) {
      this.#fail(err);
    }
  }

  /** Microphone audio in the format given at start, cut anywhere. */
  audio(bytes: Uint8Array): void {
    if (!this.#accept()) return;
    const started = this.#started;
    if (!started) return this.#error(new GatewayError('not_started', 'start the session (with an audio format) before sending audio'));
    if (!started.voiceInput) return this.#error(new GatewayError('audio_not_expected', 'this session was started without an audio format'));
    started.voiceInput.push(bytes);
  }

  /** Push-to-talk: the utterance ends now. */
  audioEnd(): void {
    const started = this.#startedFor('audio end');
    if (!started) return;
    if (!started.voiceInput) return this.#error(new GatewayError('audio_not_expected', 'audio end on a session started without an audio format'));
    started.voiceInput.end();
  }

  /** Typed input: answered like a final transcript. */
  text(text: string): void {
    const started = this.#startedFor('text input');
    if (!started) return;
    const { maxTextChars } = this.#deps.limits;
    if (text.trim() === '') return this.#error(new GatewayError('empty_text', 'text input needs some text'));
    if (text.length > maxTextChars) {
      return this.#error(new GatewayError('text_too_long', `text input is ${text.length} characters; the limit is ${maxTextChars}`));
    }
    const startedAt = performance.now();
    const id = randomUUID();
    this.#beginTurn(started, { id, text, startedAt, source: 'text', telemetry: this.#deps.telemetry.turn(id, startedAt) });
  }

  /**
   * Changes settings of a started session. A new audio format or turn-taking starts a new voice input (the
   * utterance in progress is dropped); voice, output rate and the rest apply from the next turn.
   */
  async update(update: SessionUpdate): Promise<void> {
    const started = this.#startedFor('update');
    if (!started) return;
    try {
      await this.#update(started, update);
    } catch (err) {
      this.#fail(err);
    }
  }

  /** Answers the conversation as it stands, without new input: after added items, a tool output, or a held utterance. */
  async respond(options: RespondOptions = {}): Promise<void> {
    const started = this.#startedFor('respond');
    if (!started) return;
    // An utterance that has ended but is still being transcribed belongs to the conversation this answers.
    await started.voiceInput?.settled();
    if (this.#closed) return;
    const startedAt = performance.now();
    const id = randomUUID();
    // A response's own instructions stand in for the session's, for this response only.
    const instructions = options.instructions ?? started.instructions;
    this.#beginTurn(
      started,
      { id, startedAt, source: 'conversation', telemetry: this.#deps.telemetry.turn(id, startedAt) },
      { instructions, speak: options.speak ?? started.speak },
    );
  }

  /** Adds to the conversation without answering, after the running turn's own memory update. False if refused or failed. */
  async remember(item: ConversationItem): Promise<boolean> {
    const started = this.#startedFor('adding to the conversation');
    if (!started) return false;
    if (item.type !== 'tool_output') {
      const { maxTextChars } = this.#deps.limits;
      if (item.text.trim() === '') {
        this.#error(new GatewayError('empty_text', 'a conversation item needs some text'));
        return false;
      }
      if (item.text.length > maxTextChars) {
        this.#error(new GatewayError('text_too_long', `the item is ${item.text.length} characters; the limit is ${maxTextChars}`));
        return false;
      }
    }
    return this.#remember(started, [item]);
  }

  /**
   * Transcribes a recorded user message and adds it to the conversation without answering, apart from the live
   * microphone. Resolves with the transcript ('' when nothing was said), or undefined if it failed (an error says why).
   */
  async rememberSpeech(format: AudioFormat, audio: Uint8Array): Promise<string | undefined> {
    const started = this.#startedFor('adding speech to the conversation');
    if (!started) return undefined;
    let text: string;
    try {
      text = await transcribeRecording(this.#deps.createVoiceInput, started, format, audio);
    } catch (err) {
      this.#fail(err);
      return undefined;
    }
    if (text === '') return text;
    return (await this.#remember(started, [{ type: 'user_text', text }])) ? text : undefined;
  }

  /** Drops microphone audio not yet part of a finished utterance. */
  clearAudio(): void {
    const started = this.#startedFor('clearing audio');
    if (!started) return;
    if (!started.voiceInput) return this.#error(new GatewayError('audio_not_expected', 'this session was started without an audio format'));
    started.voiceInput.clear();
  }

  /** Stops the running answer now. */
  interrupt(): void {
    if (this.#startedFor('interrupt')) this.#interrupt('client');
  }

  /** The client played `playedMs` of a turn's answer: memory keeps only that much of it. */
  played(turnId: string, playedMs: number): void {
    const started = this.#startedFor('playback');
    const turn = this.#turn;
    if (!started || !turn || turn.input.id !== turnId) return;
    this.#memory = this.#memory.then(async () => {
      await turn.finished;
      if (playedMs < turn.sentMs) await this.#truncate(started.id, turn.heardText(playedMs));
    });
  }

  /** The client is there, though it sent no command (a ping, a message a transport refused). */
  keepAlive(): void {
    if (!this.#closed) this.#idleTimer.refresh();
  }

  /** A transport refused a client message: reported like any other error, and the session goes on. */
  reject(error: GatewayError): void {
    if (this.#accept()) this.#error(error);
  }

  /**
   * Ends everything the session holds; safe to call more than once. With a code (a limit, shutdown) the sink is
   * told, after the running turn's end, so the transport can close the connection; without one the client has gone.
   * Resolves when memory writes are done.
   */
  async end(code?: SessionEndCode, message = ''): Promise<void> {
    if (this.#closed) return this.#memory;
    this.#closed = true;
    this.#draft?.drop();
    this.#turn?.interrupt();
    if (code) {
      this.#log.info({ reason: code }, 'session ended by the gateway');
      this.#sink.event({ type: 'ended', code, message });
    }
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#lifetimeTimer);
    this.#started?.voiceInput?.close();
    this.#started?.output.close();
    this.#deps.telemetry.closed();
    await this.#memory;
    await this.#lease?.release();
    this.#ended.resolve();
  }

  /** A client listening to a long answer is not idle: the gateway's own speaking counts as activity. */
  #idle(): void {
    if (this.#turn && !this.#turn.ended) {
      this.#idleTimer.refresh();
      return;
    }
    void this.end('idle_timeout', `no message for ${this.#deps.limits.idleTimeoutMs} ms`);
  }

  /** Whether a command is taken: not after the end; every command counts as the client's activity. */
  #accept(): boolean {
    if (this.#closed) return false;
    this.#idleTimer.refresh();
    return true;
  }

  #startedFor(command: string): Started | undefined {
    if (!this.#accept()) return undefined;
    if (!this.#started) this.#error(new GatewayError('not_started', `start the session before ${command}`));
    return this.#started;
  }

  async #start(options: SessionOptions): Promise<void> {
    if (this.#started) throw new GatewayError('already_started', `this connection already has session ${sessionLogRef(this.#started.id)}…`);
    const { voices, store, owner } = this.#deps;
    // Ids are the gateway's: a client names one only to resume a session it may resume.
    const previous = options.sessionId === undefined ? undefined : await this.#stored(options.sessionId);
    if (options.sessionId !== undefined && (!previous || !mayResume(previous, owner, options.resumeSecret))) {
      throw new GatewayError('resume_refused', 'no session with that session_id that this client may resume: start a new session without session_id');
    }
    const id = options.sessionId ?? newSessionId();
    const lang = options.lang ?? previous?.lang ?? 'en';
    const { named, voice, speech } = chooseVoice(voices, lang, options.voice ?? previous?.voice, mergeSpeech(previous?.speech, options.speech));
    const outputRate = options.audioOutSampleRateHz;
    checkOutputRate(outputRate);
    this.#checkSpeaker(voice, speech.speaker);
    // The voice input checks the format before anything is kept, so a refused format leaves no half-session.
    const turnTaking = { ...DEFAULT_TURN_TAKING, ...options.turnTaking };
    const voiceInput = options.audioIn ? await this.#voiceInput(options.audioIn, { id, lang }, turnTaking) : undefined;
    const output = new OutputAudio(outputRate);
    // The resampler for the session's voice is made now, so the first answer does not wait for it.
    if (outputRate !== undefined) await output.converter(voice.sampleRateHz);
    // A connection still holding the session (a lost one not yet noticed, another tab) is closed first.
    this.#lease = await this.#deps.leases.acquire(id, () => this.end('session_taken_over', 'another connection resumed this session'));
    if (this.#closed) {
      voiceInput?.close();
      output.close();
      return;
    }
    this.#started = {
      id,
      lang,
      voice: named,
      speech,
      output,
      audioIn: options.audioIn,
      voiceInput,
      turnTaking,
      instructions: options.instructions,
      clientTools: options.clientTools ?? [],
      speak: options.speak ?? true,
    };
    this.#log = this.#log.child({ session: sessionLogRef(id) });
    // Each start issues a new resume secret; the one it was resumed with stops working.
    const resume = newResumeSecret();
    await store.put(id, { lang, voice: named?.name, speech, createdAt: previous?.createdAt ?? Date.now(), owner: previous?.owner ?? owner, secretHash: resume.hash });
    const resumed = previous !== undefined;
    this.#deps.telemetry.started({ sessionId: id, lang, voice: voice.name, resumed });
    this.#emit({
      type: 'started',
      sessionId: id,
      resumeSecret: resume.secret,
      resumed,
      lang,
      voice: voice.name,
      audioOut: { sampleRateHz: outputRate ?? voice.sampleRateHz },
    });
    this.#log.info({ resumed, lang, voice: voice.name, audio: options.audioIn !== undefined }, 'session started');
  }

  #voiceInput(format: AudioFormat, session: { id: string; lang: string }, turnTaking: TurnTaking): Promise<VoiceInput> {
    return this.#deps.createVoiceInput(format, { ...session, turnTaking, recentTurns: () => this.#recentTurns.messages() }, {
      emit: (event) => this.#emit(event),
      speaking: () => this.#turn !== undefined && !this.#turn.ended,
      bargeIn: () => {
        if (this.#started?.turnTaking.bargeIn !== false) this.#interrupt('barge_in');
      },
      speculate: (next) => this.#speculate(next),
      utterance: (next) => this.#utterance(next),
      error: (error) => {
        // The recogniser's failures lose an utterance: a failed turn, as much as one the agent or the voice fails.
        if (error.stage === 'asr') this.#log.warn({ code: error.code, cause: error.message }, 'turn failed');
        this.#error(error);
      },
    });
  }

  async #update(started: Started, update: SessionUpdate): Promise<void> {
    const { voices } = this.#deps;
    const outputRate = update.audioOutSampleRateHz;
    checkOutputRate(outputRate);
    const choice = chooseVoice(voices, started.lang, update.voice, mergeSpeech(started.speech, update.speech));
    // A session keeps the voice it named unless the update names another voice.
    const named = choice.named ?? started.voice;
    const voice = named ?? choice.voice;
    const { speech } = choice;
    this.#checkSpeaker(voice, speech.speaker);
    const turnTaking = { ...started.turnTaking, ...update.turnTaking };
    const audioIn = update.audioIn ?? started.audioIn;
    const inputChanged =
      audioIn !== undefined && (JSON.stringify(audioIn) !== JSON.stringify(started.audioIn) || !sameEndpointing(turnTaking, started.turnTaking));
    // The new input is made (and its format checked) before anything changes, so a refusal leaves the session as it was.
    const voiceInput = inputChanged ? await this.#voiceInput(audioIn, { id: started.id, lang: started.lang }, turnTaking) : started.voiceInput;
    if (inputChanged) started.voiceInput?.close();
    if (outputRate !== undefined && outputRate !== started.output.requestedRateHz) {
      const output = new OutputAudio(outputRate);
      await output.converter(voice.sampleRateHz);
      const previous = started.output;
      started.output = output;
      // A running answer keeps the resampler it started with.
      void (this.#turn?.finished ?? Promise.resolve()).then(() => previous.close());
    }
    Object.assign(started, { voice: named, speech, audioIn, voiceInput, turnTaking });
    if (update.instructions !== undefined) started.instructions = update.instructions || undefined;
    if (update.clientTools !== undefined) started.clientTools = update.clientTools;
    if (update.speak !== undefined) started.speak = update.speak;
    const previous = await this.#stored(started.id);
    await this.#deps.store.put(started.id, { ...previous, lang: started.lang, voice: named?.name, speech, createdAt: previous?.createdAt ?? Date.now() });
  }

  /** The session's saved settings; a store that cannot be read is reported and the session goes on without them. */
  async #stored(id: string) {
    try {
      return await this.#deps.store.get(id);
    } catch (err) {
      this.#fail(err);
      return undefined;
    }
  }

  async #remember(started: Started, items: ConversationItem[]): Promise<boolean> {
    const write = this.#memory.then(() => this.#deps.agent().addItems(started.id, items));
    this.#memory = write.catch(() => undefined);
    try {
      await write;
      return true;
    } catch (err) {
      this.#fail(err);
      return false;
    }
  }

  /** Says so at once when the voice is loaded and has no such speaker; turns then use its default speaker. */
  #checkSpeaker(voice: Voice, speaker: SpeechSettings['speaker']): void {
    const speakers = voice.speakers;
    if (speaker === undefined || speakers === undefined || speakerIndex(speakers, speaker) !== undefined) return;
    this.#error(new GatewayError('invalid_message', `voice ${voice.name} has no speaker "${speaker}"; using its default speaker`));
  }

  #utterance(next: NextTurn): void | Promise<void> {
    const started = this.#started;
    if (!started || this.#closed) return;
    if (!started.turnTaking.autoRespond && next.text !== undefined) {
      // The utterance's span covers hearing it; the answer, when asked for, is a turn of its own.
      next.telemetry.ended('completed', next.timings ?? {}, {});
      return this.#remember(started, [{ type: 'user_text', text: next.text }]).then(() => undefined);
    }
    this.#beginTurn(started, next);
  }

  /**
   * Starts a draft of the turn a pause may end in: it thinks and synthesises its first phrase but sends and remembers
   * nothing until committed. Not while an answer is running (a draft must not cut it off before the user surely
   * finished) nor when utterances only join the conversation.
   */
  #speculate(next: NextTurn): Speculation | undefined {
    const started = this.#started;
    if (!started || this.#closed || !started.turnTaking.autoRespond || next.text === undefined) return undefined;
    if (this.#turn && !this.#turn.ended) return undefined;
    this.#draft?.drop();
    let draft: Turn;
    try {
      draft = this.#createTurn(started, next, {}, true);
    } catch {
      // The agent or voice is not loaded: the final transcript's own turn says so.
      return undefined;
    }
    this.#draft = draft;
    return {
      commit: (timings) => {
        if (this.#draft !== draft || this.#closed) return false;
        this.#draft = undefined;
        if (this.#turn && !this.#turn.ended) this.#interrupt('new_input');
        this.#emit({ type: 'turn_started', turnId: next.id, source: next.source });
        draft.commit(timings);
        this.#adopt(started, draft);
        return true;
      },
      drop: () => {
        if (this.#draft === draft) this.#draft = undefined;
        draft.drop();
      },
    };
  }

  /** Starts a turn, or says why it cannot start (the agent or the voice not loaded) and closes its span. */
  #beginTurn(started: Started, next: NextTurn, response?: RespondOptions): void {
    try {
      this.#startTurn(started, next, response);
    } catch (err) {
      next.telemetry.ended('failed', next.timings ?? {}, {});
      const error = GatewayError.from(err);
      this.#log.warn({ turnId: next.id, code: error.code, cause: error.message }, 'turn refused');
      this.#fail(error);
    }
  }

  /** Refuses a turn past limits.maxTurnsPerMinute, before it interrupts anything or reaches the agent. */
  #checkTurnRate(): void {
    const now = performance.now();
    while (this.#turnStarts.length > 0 && now - this.#turnStarts[0]! >= RATE_WINDOW_MS) this.#turnStarts.shift();
    const { maxTurnsPerMinute } = this.#deps.limits;
    if (this.#turnStarts.length >= maxTurnsPerMinute) {
      const retryInS = Math.ceil((RATE_WINDOW_MS - (now - this.#turnStarts[0]!)) / 1000);
      throw new GatewayError('turn_rate_limited', `more than ${maxTurnsPerMinute} turns in a minute; try again in ${retryInS} s`);
    }
    this.#turnStarts.push(now);
  }

  #startTurn(started: Started, next: NextTurn, response: RespondOptions = {}): void {
    this.#checkTurnRate();
    this.#draft?.drop();
    this.#draft = undefined;
    if (this.#turn && !this.#turn.ended) this.#interrupt('new_input');
    const turn = this.#createTurn(started, next, response, false);
    this.#emit({ type: 'turn_started', turnId: next.id, source: next.source });
    this.#adopt(started, turn);
  }

  /** A turn (or a draft), holding a synthesis slot while it may speak. */
  #createTurn(started: Started, next: NextTurn, response: RespondOptions, speculative: boolean): Turn {
    const agent = this.#deps.agent();
    const lang = next.lang ?? started.lang;
    const synthesizer = (started.voice ?? this.#deps.voices.select(lang)).synthesizer();
    const { speaker, speed, engineOptions } = started.speech;
    const speak = response.speak ?? started.speak;
    // Before the LLM is called: a turn that could not be spoken is refused now rather than failed after the answer.
    const release = speak ? this.#deps.reserveSpeech() : undefined;
    const ready = this.#memory;
    const turn = Turn.start(
      {
        id: next.id,
        threadId: started.id,
        text: next.text,
        lang,
        speak,
        instructions: 'instructions' in response ? response.instructions : started.instructions,
        clientTools: started.clientTools,
        startedAt: next.startedAt,
        source: next.source,
        speculative,
        ...(next.timings && { timings: next.timings }),
      },
      {
        respond: (input) => afterMemory(ready, () => agent.respond(input)),
        synthesizer,
        synthesis: {
          language: lang,
          // A speaker this voice lacks was reported at start; the voice's default speaks instead.
          speaker: speaker !== undefined && speakerIndex(synthesizer.speakers, speaker) !== undefined ? speaker : undefined,
          speed,
          engineOptions,
        },
        sink: this.#sink,
        output: started.output,
        telemetry: next.telemetry,
        onError: (error) => {
          this.#deps.telemetry.error(error.code);
          this.#log.warn({ turnId: next.id, code: error.code, cause: error.message }, 'turn failed');
        },
        ...(this.#deps.chunker && { chunker: this.#deps.chunker }),
      },
    );
    if (release) {
      this.#speechSlots.set(turn, release);
      void turn.finished.then(release);
    }
    return turn;
  }

  /** The running turn: the one barge-in and interrupts stop, whose end memory waits for. */
  #adopt(started: Started, turn: Turn): void {
    this.#turn = turn;
    this.#releaseSpeech = this.#speechSlots.get(turn);
    this.#memory = turn.finished.then(async (result) => {
      // The idle clock restarts when the answer ends, not when the client last spoke.
      if (!this.#closed) this.#idleTimer.refresh();
      if (result.outcome === 'interrupted') await this.#truncate(started.id, result.heardText);
    });
  }

  #interrupt(kind: InterruptionKind): void {
    const turn = this.#turn;
    if (!turn || turn.ended) return;
    turn.interrupt();
    this.#releaseSpeech?.();
    this.#deps.telemetry.interrupted(kind);
    this.#log.info({ kind, turnId: turn.input.id }, 'turn interrupted');
  }

  async #truncate(threadId: string, heardText: string): Promise<void> {
    try {
      await this.#deps.agent().truncateLastAnswer(threadId, heardText);
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'cutting the answer to what was heard failed');
    }
  }

  #fail(err: unknown): void {
    const error = GatewayError.from(err);
    if (error.code === 'internal') this.#log.error({ err }, 'command failed');
    this.#error(error);
  }

  #error(error: GatewayError): void {
    this.#deps.telemetry.error(error.code);
    this.#emit({ type: 'error', error });
  }

  #emit(event: SessionEvent): void {
    if (this.#closed) return;
    this.#recentTurns.observe(event);
    this.#sink.event(event);
  }
}

/** Runs an agent stream only after earlier memory updates have landed. */
async function* afterMemory<T>(ready: Promise<void>, run: () => AsyncIterable<T>): AsyncIterable<T> {
  await ready;
  yield* run();
}

function sameEndpointing(a: TurnTaking, b: TurnTaking): boolean {
  return a.endpointing === b.endpointing && a.semantic?.eagerness === b.semantic?.eagerness && JSON.stringify(a.vad ?? {}) === JSON.stringify(b.vad ?? {});
}
