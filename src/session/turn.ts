import { Readable } from 'node:stream';
import type { AgentEvent, AgentTurn } from '../contracts/agent.ts';
import type { ErrorStage } from '../observability/metrics.ts';
import { ATTR, SPAN, type ChildSpan } from '../observability/tracing.ts';
import { GatewayError } from '../core/errors.ts';
import type { Synthesizer, SynthesisOptions } from '../contracts/tts.ts';
import { PhraseChunker } from '../stages/chunker/chunker.ts';
import { AudioOut } from './audio-out.ts';
import type { ClientChannel } from '../transports/v1/channel.ts';
import type { TurnTelemetry } from './telemetry.ts';

export type TurnOutcome = 'completed' | 'interrupted' | 'failed';
export type InterruptKind = 'client' | 'barge_in' | 'new_input';

export interface TurnInput {
  id: string;
  threadId: string;
  text: string;
  lang: string;
  /** performance.now() when the turn's clock starts: end of user speech for a voice turn, arrival for text. */
  startedAt: number;
  /** Stage times measured before the turn began (VAD, ASR), reported with its own. */
  timings?: Record<string, number>;
  source: 'text' | 'voice';
}

export interface TurnDeps {
  respond(turn: AgentTurn): AsyncIterable<AgentEvent>;
  synthesizer: Synthesizer;
  synthesis: Omit<SynthesisOptions, 'signal'>;
  channel: ClientChannel;
  telemetry: TurnTelemetry;
  onError(error: GatewayError, stage: ErrorStage): void;
}

export interface TurnResult {
  outcome: TurnOutcome;
  timings: Record<string, number>;
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
  readonly #audio: AudioOut;
  readonly #timings: Record<string, number>;
  /** performance.now() when the response starts: after VAD and ASR on a voice turn, at once on a typed one. */
  readonly #respondingAt = performance.now();
  #answer = '';
  #playback: ChildSpan | undefined;
  #ended = false;
  #outcome: TurnOutcome = 'completed';
  /** Settles when every stage of the turn has stopped, including after an interruption. */
  finished!: Promise<TurnResult>;

  private constructor(input: TurnInput, deps: TurnDeps) {
    this.input = input;
    this.#deps = deps;
    this.#timings = { ...input.timings };
    this.#audio = new AudioOut(deps.channel, deps.synthesizer.sampleRateHz);
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

  /** Audio this turn has sent so far, for playback truncation later. */
  get audio(): AudioOut {
    return this.#audio;
  }

  /** Stops the turn now: nothing of it is sent after the response_end this sends. */
  interrupt(): void {
    if (this.#ended) return;
    this.#outcome = 'interrupted';
    this.#controller.abort();
    this.#audio.close();
    this.#end(true);
  }

  async #run(): Promise<TurnResult> {
    const signal = this.#controller.signal;
    const phrases = new Readable({ objectMode: true, read() {} });
    try {
      // The phrase queue holds at most one answer, which llm.maxTokens bounds.
      await Promise.all([this.#think(phrases, signal), this.#speak(phrases, signal)]);
    } catch (err) {
      if (!signal.aborted) {
        this.#outcome = 'failed';
        const error = err instanceof GatewayError ? err : new GatewayError('internal', (err as Error).message, { cause: err });
        this.#deps.onError(error, stageOf(error));
        this.#controller.abort();
        this.#audio.close();
        this.#send({ type: 'error', code: error.code, message: error.message, recoverable: error.recoverable, turn_id: this.input.id });
      }
    } finally {
      phrases.destroy();
    }
    this.#end(this.#outcome === 'interrupted');
    const { telemetry } = this.#deps;
    telemetry.ended(
      this.#outcome,
      this.#timings,
      { [ATTR.textChars]: this.#answer.length, ...telemetry.content({ answer: this.#audio.sentText() }) },
      this.#respondingAt - this.input.startedAt,
    );
    return {
      outcome: this.#outcome,
      timings: this.#timings,
      heardText: this.#audio.sentText(),
      answerText: this.#answer,
    };
  }

  #think(phrases: Readable, signal: AbortSignal): Promise<void> {
    const { telemetry } = this.#deps;
    const attributes = { [ATTR.textChars]: this.input.text.length, ...telemetry.content({ transcript: this.input.text }) };
    return telemetry.stage(SPAN.agent, attributes, async (span, traceContext) => {
      await this.#converse(phrases, signal, traceContext);
      // An interrupted agent stream ends quietly instead of throwing; its span still says it was cut short.
      if (this.#outcome === 'interrupted') span.setAttribute(ATTR.interrupted, true);
    });
  }

  async #converse(phrases: Readable, signal: AbortSignal, traceContext: AgentTurn['traceContext']): Promise<void> {
    const chunker = new PhraseChunker();
    const { id, threadId, text, lang } = this.input;
    try {
      for await (const event of this.#deps.respond({ threadId, text, lang, signal, traceContext })) {
        if (signal.aborted) return;
        if (event.type === 'tool_call') {
          this.#send({ type: 'tool_call', turn_id: id, name: event.name, args: event.args });
          continue;
        }
        this.#mark('llm_first_token_ms');
        this.#answer += event.text;
        this.#send({ type: 'llm_token', turn_id: id, token: event.text });
        for (const phrase of chunker.push(event.text)) this.#queuePhrase(phrases, phrase);
      }
      if (signal.aborted) return;
      for (const phrase of chunker.flush()) this.#queuePhrase(phrases, phrase);
      this.#mark('llm_total_ms');
    } finally {
      phrases.push(null);
    }
  }

  #queuePhrase(phrases: Readable, phrase: string): void {
    this.#mark('llm_first_phrase_ms');
    phrases.push(phrase);
  }

  async #speak(phrases: Readable, signal: AbortSignal): Promise<void> {
    const { synthesizer, synthesis, telemetry } = this.#deps;
    let ttsMs = 0;
    for await (const phrase of phrases as AsyncIterable<string>) {
      if (signal.aborted) return;
      if (!this.#playback) {
        this.#playback = telemetry.startStage(SPAN.playback, { [ATTR.ttsVoice]: synthesizer.name });
        this.#send({ type: 'tts_start', turn_id: this.input.id, sample_rate: synthesizer.sampleRateHz });
      }
      const phraseStarted = performance.now();
      const spoken = await telemetry.stage(SPAN.ttsSynthesize, { [ATTR.textChars]: phrase.length, [ATTR.ttsVoice]: synthesizer.name }, async () => {
        const chunks = this.#timeFirstChunk(synthesizer.synthesize(phrase, { ...synthesis, signal }), phraseStarted);
        try {
          return await this.#audio.speak(phrase, chunks, signal);
        } catch (err) {
          if (err instanceof GatewayError) throw err;
          throw new GatewayError('tts_failed', `speech synthesis failed: ${(err as Error).message}`, { cause: err });
        }
      });
      ttsMs += performance.now() - phraseStarted;
      if (!spoken) return;
    }
    if (ttsMs > 0) this.#timings.tts_total_ms = round(ttsMs);
  }

  async *#timeFirstChunk(chunks: AsyncIterable<Int16Array>, phraseStarted: number): AsyncIterable<Int16Array> {
    for await (const chunk of chunks) {
      if (this.#timings.tts_first_phrase_ms === undefined) {
        this.#timings.tts_first_phrase_ms = round(performance.now() - phraseStarted);
      }
      yield chunk;
      this.#mark('first_audio_ms');
    }
  }

  #mark(name: string): void {
    if (this.#timings[name] === undefined) this.#timings[name] = round(performance.now() - this.input.startedAt);
  }

  #end(interrupted: boolean): void {
    if (this.#ended) return;
    this.#ended = true;
    const { channel, synthesizer } = this.#deps;
    if (this.#playback) {
      channel.send({ type: 'tts_end', turn_id: this.input.id, sample_rate: synthesizer.sampleRateHz });
      this.#playback.span.setAttribute(ATTR.audioSeconds, this.#audio.sentMs / 1000);
      this.#playback.span.end();
    }
    this.#mark('total_ms');
    const firstAudio = this.#timings.first_audio_ms;
    if (firstAudio !== undefined) {
      this.#timings.playback_ms = round((this.#timings.total_ms ?? firstAudio) - firstAudio);
      // A voice turn's clock starts at the end of the user's speech, so its first audio is voice-to-voice.
      if (this.input.source === 'voice') this.#timings.voice_to_voice_ms = firstAudio;
    }
    channel.send({ type: 'response_end', turn_id: this.input.id, interrupted, timings: this.#timings });
  }

  #send(message: Parameters<ClientChannel['send']>[0]): void {
    // A turn that has ended speaks no more, whatever its stages were still doing.
    if (!this.#ended) this.#deps.channel.send(message);
  }
}

function stageOf(error: GatewayError): ErrorStage {
  if (error.code.startsWith('llm_') || error.code === 'agent_failed') return 'agent';
  if (error.code.startsWith('tts_')) return 'tts';
  return 'session';
}

const round = (ms: number) => Math.round(ms * 10) / 10;
