import type { AgentEvent, AgentTurn, ClientTool } from '../contracts/agent.ts';
import type { Synthesizer, SynthesisOptions } from '../contracts/tts.ts';
import { BoundedQueue } from '../core/bounded-queue.ts';
import { GatewayError, isAbortError } from '../core/errors.ts';
import { ATTR, SPAN, type ChildSpan } from '../observability/tracing.ts';
import { PhraseChunker, type PhraseChunkerOptions } from '../stages/chunker/chunker.ts';
import { AudioOut } from './audio-out.ts';
import { HeldSink } from './held-sink.ts';
import type { SessionEvent, SessionSink, TurnOutcome, TurnSource, TurnTimings, TurnUsage } from './events.ts';
import type { OutputAudio } from './output-audio.ts';
import type { TurnTelemetry } from './telemetry.ts';

export interface TurnInput {
  id: string;
  threadId: string;
  /** The user's new message; absent when the turn answers the conversation as it stands. */
  text?: string | undefined;
  lang: string;
  /** False: the answer is text only, nothing is synthesised. */
  speak: boolean;
  instructions?: string | undefined;
  clientTools?: readonly ClientTool[] | undefined;
  /** performance.now() when the turn's clock starts: end of user speech for a voice turn, arrival for text. */
  startedAt: number;
  /** Stage times measured before the turn began (VAD, ASR), reported with its own. */
  timings?: TurnTimings;
  source: TurnSource;
  /**
   * A draft started before the endpoint: it thinks and synthesises its first phrase, but sends nothing and the agent
   * writes no memory until `commit()`; `drop()` forgets it.
   */
  speculative?: boolean;
}

export interface TurnDeps {
  respond(turn: AgentTurn): AsyncIterable<AgentEvent>;
  synthesizer: Synthesizer;
  synthesis: Omit<SynthesisOptions, 'signal'>;
  sink: SessionSink;
  /** The session's outgoing audio rate and its resamplers. */
  output: OutputAudio;
  telemetry: TurnTelemetry;
  onError(error: GatewayError): void;
  chunker?: PhraseChunkerOptions;
}

export interface TurnResult {
  outcome: TurnOutcome;
  timings: TurnTimings;
  /** What the user heard of the answer, as far as the gateway knows when the turn ends. */
  heardText: string;
  answerText: string;
}

/**
 * One exchange: the agent's tokens go to the client as they come, and to the phrase chunker; each phrase is
 * synthesised and streamed while the agent keeps talking. One AbortController cancels all of it.
 */
export class Turn {
  readonly input: TurnInput;
  readonly #deps: TurnDeps;
  readonly #controller = new AbortController();
  /** Where the turn's events and audio go: the session's sink, or a held one while the turn is a draft. */
  readonly #sink: SessionSink;
  readonly #held: HeldSink | undefined;
  /** Resolves true once the turn may speak and remember (at once unless it is a draft), false if it was dropped. */
  readonly #decision = Promise.withResolvers<boolean>();
  #committed: boolean;
  #dropped = false;
  /** A draft produced audio before its commit: its first audio reaches the client at the commit. */
  #heldAudio = false;
  /** Made at the first phrase, when the voice's output converter is at hand. */
  #audio: AudioOut | undefined;
  readonly #timings: TurnTimings;
  /** performance.now() when the response starts: after VAD and ASR on a voice turn, at once on a typed one. */
  readonly #respondingAt = performance.now();
  #answer = '';
  #usage: TurnUsage | undefined;
  #playback: ChildSpan | undefined;
  #ended = false;
  #outcome: TurnOutcome = 'completed';
  /** Settles when every stage of the turn has stopped, including after an interruption. */
  finished!: Promise<TurnResult>;

  private constructor(input: TurnInput, deps: TurnDeps) {
    this.input = input;
    this.#deps = deps;
    this.#timings = { ...input.timings };
    this.#committed = input.speculative !== true;
    this.#held = this.#committed ? undefined : new HeldSink(deps.sink);
    this.#sink = this.#held ?? deps.sink;
    if (this.#committed) this.#decision.resolve(true);
  }

  /** Starts a turn; it runs until it completes, fails, or is interrupted. */
  static start(input: TurnInput, deps: TurnDeps): Turn {
    const turn = new Turn(input, deps);
    turn.finished = turn.#run();
    return turn;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Audio this turn has sent so far, in ms, for playback truncation later. */
  get sentMs(): number {
    return this.#audio?.sentMs ?? 0;
  }

  /** The answer cut to what `playedMs` of its audio said. */
  heardText(playedMs: number): string {
    return this.#audio?.heardText(playedMs) ?? '';
  }

  /** A draft becomes the answer: what it held goes out now, and it may go on speaking and remembering. */
  commit(timings: TurnTimings): void {
    if (this.#committed || this.#dropped) return;
    this.#committed = true;
    Object.assign(this.#timings, timings);
    this.#deps.telemetry.speculationCommitted();
    this.#held?.release();
    if (this.#heldAudio) this.#mark('firstAudioMs');
    this.#decision.resolve(true);
  }

  /** A draft is forgotten: its work stops, nothing of it was sent and nothing is remembered. */
  drop(): void {
    if (this.#committed || this.#dropped) return;
    this.#dropped = true;
    this.#ended = true;
    this.#held?.drop();
    this.#decision.resolve(false);
    this.#controller.abort();
    this.#audio?.close();
  }

  /** Stops the turn now: nothing of it is sent after the response_end this sends. */
  interrupt(): void {
    if (this.#ended) return;
    this.#outcome = 'interrupted';
    this.#controller.abort();
    this.#audio?.close();
    this.#end();
  }

  async #run(): Promise<TurnResult> {
    const signal = this.#controller.signal;
    // Far more phrases than an answer has: only a client that stops reading its audio makes the agent wait here.
    const phrases = new BoundedQueue<string>({ capacity: MAX_QUEUED_PHRASES, overflow: 'block' });
    try {
      await Promise.all([this.#think(phrases, signal), this.#speak(phrases, signal)]);
    } catch (err) {
      if (!signal.aborted) {
        this.#outcome = 'failed';
        const error = GatewayError.from(err);
        this.#deps.onError(error);
        this.#controller.abort();
        this.#audio?.close();
        this.#send({ type: 'error', error, turnId: this.input.id });
      }
    } finally {
      phrases.close();
    }
    // A draft ends (or reports its failure) only as the answer it becomes: its end waits for the commit.
    await this.#decision.promise;
    this.#end();
    const { telemetry } = this.#deps;
    if (this.#dropped) {
      telemetry.speculationDropped();
      return { outcome: 'interrupted', timings: this.#timings, heardText: '', answerText: '' };
    }
    telemetry.ended(
      this.#outcome,
      this.#timings,
      { [ATTR.textChars]: this.#answer.length, ...telemetry.content({ answer: this.#heard() }) },
      this.#respondingAt - this.input.startedAt,
    );
    return {
      outcome: this.#outcome,
      timings: this.#timings,
      heardText: this.#heard(),
      answerText: this.#answer,
    };
  }

  #think(phrases: BoundedQueue<string>, signal: AbortSignal): Promise<void> {
    const { telemetry } = this.#deps;
    const text = this.input.text ?? '';
    const attributes = { [ATTR.textChars]: text.length, ...telemetry.content({ transcript: text }) };
    return telemetry.stage(SPAN.agent, attributes, async (span, traceContext) => {
      await this.#converse(phrases, signal, traceContext);
      // An interrupted agent stream ends quietly instead of throwing; its span still says it was cut short.
      if (this.#outcome === 'interrupted') span.setAttribute(ATTR.interrupted, true);
    });
  }

  async #converse(phrases: BoundedQueue<string>, signal: AbortSignal, traceContext: AgentTurn['traceContext']): Promise<void> {
    const chunker = new PhraseChunker(this.#deps.chunker);
    const { id, threadId, text, lang, instructions, clientTools, speak } = this.input;
    try {
      const commit = this.input.speculative === true ? { commit: this.#decision.promise } : {};
      for await (const event of this.#deps.respond({ threadId, text, lang, signal, traceContext, instructions, clientTools, ...commit })) {
        if (signal.aborted) return;
        if (event.type === 'tool_call') {
          this.#send({ type: 'tool_call', turnId: id, name: event.name, args: event.args, ...(event.sources && { sources: event.sources }) });
          continue;
        }
        if (event.type === 'tool_failed') {
          // The model was told and answers without the tool; the client learns why the answer may be thinner.
          this.#deps.onError(event.error);
          this.#send({ type: 'error', error: event.error, turnId: id, turnContinues: true });
          continue;
        }
        if (event.type === 'usage') {
          const { inputTokens, outputTokens, stoppedAtLimit } = event;
          const sum = this.#usage ?? { inputTokens: 0, outputTokens: 0, stoppedAtLimit: false };
          this.#usage = { inputTokens: sum.inputTokens + inputTokens, outputTokens: sum.outputTokens + outputTokens, stoppedAtLimit };
          continue;
        }
        if (event.type === 'client_tool_call') {
          const { callId, name, arguments: args } = event;
          this.#send({ type: 'client_tool_call', turnId: id, callId, name, arguments: args });
          continue;
        }
        this.#mark('llmFirstTokenMs');
        this.#answer += event.text;
        this.#send({ type: 'answer_delta', turnId: id, text: event.text });
        if (speak) for (const phrase of chunker.push(event.text)) await this.#queuePhrase(phrases, phrase, signal);
      }
      if (signal.aborted) return;
      if (speak) for (const phrase of chunker.flush()) await this.#queuePhrase(phrases, phrase, signal);
      this.#mark('llmTotalMs');
    } catch (err) {
      // A phrase waiting for room when the turn is interrupted: the agent stage ends quietly, as on any interrupt.
      if (!(signal.aborted && isAbortError(err))) throw err;
    } finally {
      phrases.close();
    }
  }

  #queuePhrase(phrases: BoundedQueue<string>, phrase: string, signal: AbortSignal): Promise<void> {
    this.#mark('llmFirstPhraseMs');
    return phrases.push(phrase, signal);
  }

  async #speak(phrases: BoundedQueue<string>, signal: AbortSignal): Promise<void> {
    const { synthesizer, synthesis, telemetry } = this.#deps;
    let ttsMs = 0;
    for await (const phrase of phrases.items(signal)) {
      if (signal.aborted) return;
      const audio = this.#audio ?? (await this.#startAudio(signal));
      if (!audio) return;
      const phraseStarted = performance.now();
      const spoken = await telemetry.stage(SPAN.ttsSynthesize, { [ATTR.textChars]: phrase.length, [ATTR.ttsVoice]: synthesizer.name }, async () => {
        const chunks = this.#timeFirstChunk(synthesizer.synthesize(phrase, { ...synthesis, signal }), phraseStarted);
        try {
          return await audio.speak(phrase, chunks, signal);
        } catch (err) {
          throw GatewayError.from(err, 'tts_failed', 'speech synthesis failed');
        }
      });
      ttsMs += performance.now() - phraseStarted;
      if (!spoken) return;
      // A draft stops at its first phrase: the rest would be work for an answer that may never be heard.
      if (!(await this.#decision.promise)) return;
    }
    if (!(await this.#decision.promise)) return;
    await this.#audio?.finish(signal);
    if (ttsMs > 0) this.#timings.ttsTotalMs = round(ttsMs);
  }

  /** The first phrase is ready: audio starts, at the rate the session sends. Undefined if interrupted meanwhile. */
  async #startAudio(signal: AbortSignal): Promise<AudioOut | undefined> {
    const { synthesizer, output, telemetry } = this.#deps;
    const converter = await output.converter(synthesizer.sampleRateHz);
    if (signal.aborted) return undefined;
    this.#audio = new AudioOut(this.#sink, this.input.id, converter);
    this.#playback = telemetry.startStage(SPAN.playback, { [ATTR.ttsVoice]: synthesizer.name });
    this.#send({ type: 'audio_started', turnId: this.input.id, sampleRateHz: converter.sampleRateHz });
    return this.#audio;
  }

  async *#timeFirstChunk(chunks: AsyncIterable<Int16Array>, phraseStarted: number): AsyncIterable<Int16Array> {
    for await (const chunk of chunks) {
      this.#timings.ttsFirstPhraseMs ??= round(performance.now() - phraseStarted);
      yield chunk;
      if (this.#committed) this.#mark('firstAudioMs');
      else this.#heldAudio = true;
    }
  }

  #heard(): string {
    // A text-only answer was read as it arrived: all of it that was sent counts.
    if (!this.input.speak) return this.#answer;
    return this.#audio?.sentText() ?? '';
  }

  #mark(name: 'llmFirstTokenMs' | 'llmFirstPhraseMs' | 'llmTotalMs' | 'firstAudioMs' | 'totalMs'): void {
    this.#timings[name] ??= round(performance.now() - this.input.startedAt);
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const sink = this.#sink;
    const audio = this.#audio;
    if (audio && this.#playback) {
      sink.event({ type: 'audio_ended', turnId: this.input.id, sampleRateHz: audio.sampleRateHz });
      this.#playback.span.setAttribute(ATTR.audioSeconds, audio.sentMs / 1000);
      this.#playback.span.end();
    }
    this.#mark('totalMs');
    const firstAudio = this.#timings.firstAudioMs;
    if (firstAudio !== undefined) {
      this.#timings.playbackMs = round((this.#timings.totalMs ?? firstAudio) - firstAudio);
      // A voice turn's clock starts at the end of the user's speech, so its first audio is voice-to-voice.
      if (this.input.source === 'voice') this.#timings.voiceToVoiceMs = firstAudio;
    }
    sink.event({ type: 'turn_ended', turnId: this.input.id, outcome: this.#outcome, timings: this.#timings, ...(this.#usage && { usage: this.#usage }) });
  }

  #send(event: SessionEvent): void {
    // A turn that has ended speaks no more, whatever its stages were still doing.
    if (!this.#ended) this.#sink.event(event);
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const MAX_QUEUED_PHRASES = 64;
