import { randomUUID } from 'node:crypto';
import { PIPELINE_SAMPLE_RATE_HZ, type AudioFormat } from '../audio/audio-format.ts';
import { createAudioInput, type AudioInput } from '../audio/audio-input.ts';
import type { Transcriber } from '../contracts/asr.ts';
import type { VadModel } from '../contracts/vad.ts';
import { GatewayError, isAbortError } from '../core/errors.ts';
import { ATTR, SPAN } from '../observability/tracing.ts';
import { createEndpointer, type Endpointer, type EndpointerOptions, type VadEvent } from '../stages/vad/endpointer.ts';
import { isBackchannel } from '../stages/turns/backchannel.ts';
import { completeness, silenceNeededMs } from '../stages/turns/completeness.ts';
import type { TurnDetector } from '../contracts/turns.ts';
import { ArrivalClock } from './arrival-clock.ts';
import type { Eagerness, TurnTimings } from './events.ts';
import type { SessionTelemetry, TurnTelemetry } from './telemetry.ts';
import type { Speculation, VoiceInput, VoiceInputHandlers, VoiceSession } from './voice-input.ts';

export interface VoicePipelineSettings {
  endpointer: EndpointerOptions;
  /** Speech this long while the assistant speaks interrupts it. */
  bargeInMinSpeechMs: number;
  partialIntervalMs: number;
  /** Input audio waiting for the VAD; past it the oldest is dropped and the client told. */
  maxBufferedAudioMs: number;
  /** Silence after which a draft turn starts on a transcript of the utterance so far; 0: no drafts. */
  speculativeAfterMs: number;
  /** Adaptive endpointing: the silence needed after a finished-looking and after a hesitant transcript; absent: fixed. */
  adaptiveSilence?: AdaptiveBounds | undefined;
  /** turns.completeSilenceMs: what a session's semantic endpointing waits after a finished-looking utterance. */
  completeSilenceMs: number;
  /** 'vad': speech past bargeInMinSpeechMs interrupts; 'transcript': only if its transcript is not a backchannel. */
  bargeInConfirm: 'vad' | 'transcript';
}

export interface AdaptiveBounds {
  completeSilenceMs: number;
  hesitantSilenceMs: number;
}

/** Semantic endpointing's wait for an utterance that looks unfinished, by eagerness (OpenAI's maximum timeouts). */
const SEMANTIC_HESITANT_SILENCE_MS: Record<Eagerness, number> = { low: 8_000, medium: 4_000, high: 2_000 };

export interface VoicePipelineDeps {
  settings: VoicePipelineSettings;
  /** The loaded models, or GatewayError('model_not_ready'). */
  vad(): VadModel;
  transcriber(): Transcriber;
  /** Judges transcripts for adaptive endpointing; throws while it loads (the text rules judge then). */
  turnDetector(): TurnDetector;
  telemetry: SessionTelemetry;
}

interface Utterance {
  turnId: string;
  bargedIn: boolean;
  lastPartialAt: number;
  /** Began while the assistant spoke: in 'transcript' barge-in mode a backchannel of it starts no turn. */
  duringAnswer: boolean;
  /** A transcript of the speech so far is being checked for a real interruption. */
  bargeInCheck?: Promise<void> | undefined;
  draft?: Draft | undefined;
}

/** A speculative transcript taken in a pause, and the draft turn the session started on it. */
interface Draft {
  controller: AbortController;
  speechEndedAt: number;
  telemetry: TurnTelemetry;
  /** Undefined when transcription failed or the draft was dropped meanwhile. */
  ready: Promise<DraftTranscript | undefined>;
}

interface DraftTranscript {
  text: string;
  detected: string | undefined;
  asrMs: number;
  speculation: Speculation | undefined;
}

const BYTES_PER_SAMPLE = 2;

/**
 * Microphone audio to transcripts for one session: resample, VAD endpointing, partial and final transcripts,
 * barge-in. Audio waits in a bounded queue (limits.maxBufferedAudioMs; the oldest is dropped when full) and is
 * processed in order; transcriptions run beside it so a slow ASR never stalls endpointing.
 */
export async function createVoicePipeline(
  format: AudioFormat,
  session: VoiceSession,
  handlers: VoiceInputHandlers,
  deps: VoicePipelineDeps,
): Promise<VoiceInput> {
  const vad = deps.vad();
  const input = await createAudioInput(format);
  const options = endpointerOptions(deps.settings.endpointer, session);
  const endpointer = createEndpointer(vad, options);
  return new VoicePipeline(format, session, handlers, deps, input, endpointer, options.minSilenceMs);
}

/** The gateway's VAD settings under this session's; push-to-talk waits for `end()` however long the silence. */
function endpointerOptions(gateway: EndpointerOptions, session: VoiceSession): EndpointerOptions {
  const turnTaking = session.turnTaking;
  if (!turnTaking) return gateway;
  const own = Object.fromEntries(Object.entries(turnTaking.vad ?? {}).filter(([, v]) => v !== undefined));
  const options = { ...gateway, ...own };
  if (turnTaking.endpointing === 'manual') options.minSilenceMs = options.maxUtteranceMs;
  return options;
}

class VoicePipeline implements VoiceInput {
  readonly #session: VoiceSession;
  readonly #handlers: VoiceInputHandlers;
  readonly #deps: VoicePipelineDeps;
  readonly #input: AudioInput;
  readonly #endpointer: Endpointer;
  readonly #bytesPerMs: number;
  readonly #maxQueuedBytes: number;
  #clock = new ArrivalClock();
  /** 16 kHz audio taken by the endpointer since the last clear (its positions restart there), and before it. */
  #receivedMs = 0;
  #clearedMs = 0;
  /** Utterances that ended and are being transcribed or handed on, for `settled()`. */
  readonly #inFlight = new Set<Promise<void>>();
  readonly #closed = new AbortController();
  readonly #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #overflowReported = false;
  #draining: Promise<void> | undefined;
  #utterance: Utterance | undefined;
  #partialInFlight = false;
  /** The turn detector's judgement of the newest transcript, while it is pending. */
  #assessing: AbortController | undefined;
  /** Set from audio_end until its transcript is out: audio then would mix two utterances. */
  #finalising = false;
  /** This session's silence window; adaptive endpointing moves around it, push-to-talk never ends on silence. */
  readonly #baseSilenceMs: number;
  readonly #manual: boolean;

  constructor(
    format: AudioFormat,
    session: VoiceSession,
    handlers: VoiceInputHandlers,
    deps: VoicePipelineDeps,
    input: AudioInput,
    endpointer: Endpointer,
    baseSilenceMs: number,
  ) {
    this.#baseSilenceMs = baseSilenceMs;
    this.#manual = session.turnTaking?.endpointing === 'manual';
    this.#session = session;
    this.#handlers = handlers;
    this.#deps = deps;
    this.#input = input;
    this.#endpointer = endpointer;
    this.#bytesPerMs = (format.sampleRateHz * format.channels * BYTES_PER_SAMPLE) / 1000;
    this.#maxQueuedBytes = Math.ceil(deps.settings.maxBufferedAudioMs * this.#bytesPerMs);
  }

  push(pcm: Uint8Array): void {
    if (this.#closed.signal.aborted) return;
    if (this.#finalising) {
      this.#handlers.error(new GatewayError('audio_after_end', 'audio arrived while the utterance ended by audio end is being transcribed; it was dropped'));
      return;
    }
    this.#queue.push(pcm);
    this.#queuedBytes += pcm.byteLength;
    let dropped = 0;
    while (this.#queuedBytes > this.#maxQueuedBytes && this.#queue.length > 1) {
      const oldest = this.#queue.shift() as Uint8Array;
      this.#queuedBytes -= oldest.byteLength;
      dropped += oldest.byteLength;
    }
    if (dropped > 0 && !this.#overflowReported) {
      // Once per backlog episode, not once per frame.
      this.#overflowReported = true;
      const ms = Math.round(dropped / this.#bytesPerMs);
      this.#handlers.error(new GatewayError('audio_overflow', `audio arrives faster than it can be processed; dropped the oldest ${ms} ms`));
    }
    this.#draining ??= this.#drain();
  }

  end(): void {
    if (this.#closed.signal.aborted || this.#finalising) return;
    this.#finalising = true;
    const ending = this.#afterDrain(async () => {
      const tail = this.#input.flush();
      this.#clock.received(tail.length);
      const events = [...(tail.length > 0 ? await this.#endpointer.push(tail, this.#closed.signal) : []), ...this.#endpointer.flush()];
      const ended = events.some((e) => e.type === 'speech_end');
      const finals = this.#handle(events);
      if (!ended) {
        // The user let go of the button without saying anything the VAD heard: answer the audio_end anyway.
        this.#handlers.emit({ type: 'transcript_final', turnId: randomUUID(), text: '' });
        this.#deps.telemetry.emptyUtterance();
      }
      await finals;
    }).finally(() => {
      this.#finalising = false;
    });
    this.#track(ending);
  }

  clear(): void {
    if (this.#closed.signal.aborted) return;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    // After the chunk being processed; nothing awaits between the drain's end and this, so no audio slips between.
    void this.#afterDrain(async () => {
      this.#input.flush();
      this.#endpointer.reset();
      this.#clock = new ArrivalClock();
      this.#clearedMs += this.#receivedMs;
      this.#receivedMs = 0;
      this.#dropDraft(this.#utterance);
      this.#utterance = undefined;
    });
  }

  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch(() => undefined).finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  close(): void {
    this.#dropDraft(this.#utterance);
    this.#closed.abort();
    this.#queue.length = 0;
    void this.#afterDrain(async () => this.#input.close());
  }

  async #afterDrain(work: () => Promise<void>): Promise<void> {
    while (this.#draining) await this.#draining;
    await work();
  }

  async #drain(): Promise<void> {
    // Yield first: a drain whose chunks yield no samples awaits nothing, and would otherwise run its `finally`
    // before push() stores it in #draining, leaving a settled promise there for #afterDrain to spin on for good.
    await Promise.resolve();
    try {
      for (let chunk = this.#queue.shift(); chunk; chunk = this.#queue.shift()) {
        this.#queuedBytes -= chunk.byteLength;
        const audio = this.#input.push(chunk);
        this.#clock.received(audio.length);
        this.#receivedMs += (audio.length * 1000) / PIPELINE_SAMPLE_RATE_HZ;
        const events = audio.length > 0 ? await this.#endpointer.push(audio, this.#closed.signal) : [];
        void this.#handle(events);
        this.#maybeBargeIn();
        this.#maybeSpeculate();
        this.#maybePartial();
      }
      this.#overflowReported = false;
    } catch (err) {
      if (!isAbortError(err) && !this.#closed.signal.aborted) {
        this.#handlers.error(GatewayError.from(err, 'internal', 'voice activity detection failed'));
      }
    } finally {
      this.#draining = undefined;
    }
  }

  /** Sends VAD events; resolves when the transcriptions they started are done. */
  #handle(events: VadEvent[]): Promise<void> {
    const finals: Promise<void>[] = [];
    for (const event of events) {
      const audioMs = Math.round(this.#clearedMs + (event.type === 'speech_start' ? event.onsetMs : event.speechEndMs));
      this.#handlers.emit({ type: event.type === 'speech_start' ? 'speech_started' : 'speech_stopped', audioMs });
      if (event.type === 'speech_start') {
        this.#utterance = { turnId: randomUUID(), bargedIn: false, lastPartialAt: performance.now(), duringAnswer: this.#handlers.speaking() };
        if (this.#deps.settings.adaptiveSilence && !this.#manual) this.#endpointer.setMinSilenceMs(this.#baseSilenceMs);
      } else {
        const utterance = this.#utterance ?? { turnId: randomUUID(), bargedIn: false, lastPartialAt: 0, duringAnswer: false };
        this.#utterance = undefined;
        const final = this.#finalTranscript(utterance, event);
        this.#track(final);
        finals.push(final);
      }
    }
    return Promise.all(finals).then(() => undefined);
  }

  #maybeBargeIn(): void {
    const utterance = this.#utterance;
    if (!utterance || utterance.bargedIn || !this.#handlers.speaking()) return;
    if (this.#endpointer.speechMs < this.#deps.settings.bargeInMinSpeechMs) return;
    if (this.#deps.settings.bargeInConfirm === 'vad') {
      utterance.bargedIn = true;
      this.#handlers.bargeIn();
      return;
    }
    // Transcript-confirmed: the speech so far interrupts only if it says more than a backchannel. One check at a
    // time; while speech goes on, each finished check is followed by another on the longer audio.
    if (utterance.bargeInCheck) return;
    const audio = this.#endpointer.currentUtterance();
    if (!audio) return;
    utterance.bargeInCheck = Promise.resolve()
      .then(() => this.#deps.transcriber().transcribe(audio, this.#transcribeOptions()))
      .then((transcript) => {
        if (utterance.bargedIn || isBackchannel(transcript.text) || !this.#handlers.speaking()) return;
        utterance.bargedIn = true;
        this.#handlers.bargeIn();
      })
      .catch(() => {
        // The final transcript reports ASR trouble; a check that failed interrupts nothing.
      })
      .finally(() => {
        utterance.bargeInCheck = undefined;
      });
  }

  /**
   * A pause long enough to guess the user may be done: transcribe what was said and let the session start a draft
   * turn on it. Speech that resumes drops the draft.
   */
  #maybeSpeculate(): void {
    const utterance = this.#utterance;
    if (!utterance) return;
    const silenceMs = this.#endpointer.silenceMs;
    if (utterance.draft) {
      if (silenceMs === 0) this.#dropDraft(utterance);
      return;
    }
    const after = this.#deps.settings.speculativeAfterMs;
    if (after <= 0 || silenceMs < after || this.#manual || !this.#handlers.speculate || this.#handlers.speaking()) return;
    const pending = this.#endpointer.pendingEnd();
    if (!pending) return;
    const startedAt = performance.now();
    const speechEndedAt = Math.min(startedAt, this.#clock.arrivalOf(pending.speechEndMs));
    const controller = new AbortController();
    const telemetry = this.#deps.telemetry.turn(utterance.turnId, speechEndedAt);
    const draft: Draft = { controller, speechEndedAt, telemetry, ready: Promise.resolve(undefined) };
    draft.ready = this.#draftTranscript(utterance, draft, pending.audio, startedAt);
    utterance.draft = draft;
  }

  async #draftTranscript(utterance: Utterance, draft: Draft, audio: Int16Array, startedAt: number): Promise<DraftTranscript | undefined> {
    const { telemetry, controller } = draft;
    try {
      const asr = this.#deps.transcriber();
      const signal = AbortSignal.any([this.#closed.signal, controller.signal]);
      const attributes = { [ATTR.audioSeconds]: audio.length / PIPELINE_SAMPLE_RATE_HZ, [ATTR.lang]: this.#session.lang };
      const transcript = await telemetry.stage(SPAN.asrTranscribe, attributes, async (span) => {
        const result = await asr.transcribe(audio, { ...this.#transcribeOptions(), signal });
        span.setAttributes({ [ATTR.textChars]: result.text.length, ...telemetry.content({ transcript: result.text }) });
        return result;
      });
      if (controller.signal.aborted) return undefined;
      const asrMs = round(performance.now() - startedAt);
      const { text, language: detected } = transcript;
      this.#adaptSilence(text, detected);
      const lang = this.#detectedLang(detected);
      const speculation = text === '' ? undefined : this.#handlers.speculate?.({
        id: utterance.turnId, text, startedAt: draft.speechEndedAt, timings: { asrMs }, telemetry, source: 'voice', ...(lang && { lang }),
      });
      return { text, detected, asrMs, speculation };
    } catch {
      // The final transcript, taken again, reports real trouble.
      return undefined;
    }
  }

  /** Speech resumed, or the utterance went away: the draft's work stops and nothing of it is seen. */
  #dropDraft(utterance: Utterance | undefined): void {
    const draft = utterance?.draft;
    if (!utterance || !draft) return;
    utterance.draft = undefined;
    draft.controller.abort();
    void draft.ready.then((result) => {
      if (result?.speculation) result.speculation.drop();
      else draft.telemetry.speculationDropped();
    });
  }

  /**
   * Adaptive endpointing: the silence still needed follows how finished the transcript so far looks, as the turn
   * detector judges it. Only the newest transcript of the utterance counts: an older judgement landing late is
   * dropped. A detector that fails or is still loading leaves the judgement to the text rules.
   */
  #adaptSilence(text: string, detected: string | undefined): void {
    const adaptive = this.#adaptiveSilence();
    const utterance = this.#utterance;
    if (!adaptive || this.#manual || text === '' || !utterance) return;
    this.#assessing?.abort();
    const assessing = new AbortController();
    this.#assessing = assessing;
    const options = {
      lang: this.#session.lang === 'auto' ? detected : this.#session.lang,
      context: this.#session.recentTurns?.(),
      signal: AbortSignal.any([assessing.signal, this.#closed.signal]),
    };
    void Promise.resolve()
      .then(async () => ({ kind: await this.#deps.turnDetector().assess(text, options), judgedBy: 'detector' as const }))
      .catch(() => ({ kind: completeness(text), judgedBy: 'fallback' as const }))
      .then(({ kind, judgedBy }) => {
        if (assessing.signal.aborted || this.#utterance !== utterance) return;
        this.#deps.telemetry.turnJudged(kind, judgedBy);
        this.#endpointer.setMinSilenceMs(silenceNeededMs(kind, { ...adaptive, baseSilenceMs: this.#baseSilenceMs }));
      });
  }

  /** The session's semantic endpointing if it asked for it, else the gateway's adaptive endpointing, if on. */
  #adaptiveSilence(): AdaptiveBounds | undefined {
    const semantic = this.#session.turnTaking?.semantic;
    if (!semantic) return this.#deps.settings.adaptiveSilence;
    return {
      // Low eagerness lets a finished-looking utterance have the session's whole window too.
      completeSilenceMs: semantic.eagerness === 'low' ? this.#baseSilenceMs : Math.min(this.#deps.settings.completeSilenceMs, this.#baseSilenceMs),
      hesitantSilenceMs: Math.max(SEMANTIC_HESITANT_SILENCE_MS[semantic.eagerness], this.#baseSilenceMs),
    };
  }

  #detectedLang(detected: string | undefined): string | undefined {
    // A session that asked for detection answers in the language it heard.
    return this.#session.lang === 'auto' && detected && detected !== 'auto' ? detected : undefined;
  }

  /** Partials never delay a final: one at a time, and skipped while every ASR context is busy. */
  #maybePartial(): void {
    const utterance = this.#utterance;
    if (!utterance || this.#partialInFlight) return;
    if (performance.now() - utterance.lastPartialAt < this.#deps.settings.partialIntervalMs) return;
    const audio = this.#endpointer.currentUtterance();
    if (!audio || audio.length === 0) return;
    utterance.lastPartialAt = performance.now();
    this.#partialInFlight = true;
    Promise.resolve()
      // A recogniser still loading is the final's to report, not a partial's.
      .then(() => this.#deps.transcriber().transcribePartial(audio, this.#transcribeOptions()))
      .then((transcript) => {
        // A partial that lands after its utterance ended would contradict the final.
        if (transcript && this.#utterance === utterance && transcript.text) {
          this.#adaptSilence(transcript.text, transcript.language);
          this.#handlers.emit({ type: 'transcript_partial', turnId: utterance.turnId, text: transcript.text });
        }
      })
      .catch(() => {
        // A failed partial is not worth the user's attention; the final will report real trouble.
      })
      .finally(() => {
        this.#partialInFlight = false;
      });
  }

  async #finalTranscript(utterance: Utterance, event: Extract<VadEvent, { type: 'speech_end' }>): Promise<void> {
    const detectedAt = performance.now();
    if (utterance.draft && (await this.#commitDraft(utterance, utterance.draft, event, detectedAt))) return;
    // The turn's clock starts when the user stopped speaking: the arrival of the last voiced audio.
    const speechEndedAt = Math.min(detectedAt, this.#clock.arrivalOf(event.speechEndMs));
    const telemetry = this.#deps.telemetry.turn(utterance.turnId, speechEndedAt);
    telemetry.recordStage(SPAN.vadEndpoint, speechEndedAt, detectedAt, {
      [ATTR.audioSeconds]: event.audio.length / PIPELINE_SAMPLE_RATE_HZ,
      's2s.vad.truncated': event.truncated,
    });
    const timings: TurnTimings = { vadEndpointMs: round(detectedAt - speechEndedAt) };
    let text: string;
    let detected: string | undefined;
    try {
      const asr = this.#deps.transcriber();
      const attributes = { [ATTR.audioSeconds]: event.audio.length / PIPELINE_SAMPLE_RATE_HZ, [ATTR.lang]: this.#session.lang };
      const transcript = await telemetry.stage(SPAN.asrTranscribe, attributes, async (span) => {
        const result = await asr.transcribe(event.audio, this.#transcribeOptions());
        span.setAttributes({ [ATTR.textChars]: result.text.length, ...telemetry.content({ transcript: result.text }) });
        return result;
      });
      text = transcript.text;
      detected = transcript.language;
      timings.asrMs = round(performance.now() - detectedAt);
    } catch (err) {
      if (this.#closed.signal.aborted) return;
      telemetry.ended('failed', timings, {});
      this.#handlers.error(GatewayError.from(err, 'asr_failed', 'transcription failed'));
      return;
    }
    this.#handlers.emit({ type: 'transcript_final', turnId: utterance.turnId, text });
    if (text === '' || this.#onlyBackchannel(utterance, text)) {
      telemetry.ended('empty', timings, {});
      return;
    }
    const lang = this.#detectedLang(detected);
    await this.#handlers.utterance({ id: utterance.turnId, text, startedAt: speechEndedAt, timings, telemetry, source: 'voice', ...(lang && { lang }) });
  }

  /**
   * The endpoint came and a draft exists: its transcript is the final (the audio since is silence), and its turn,
   * already thinking, is committed. False when the draft has no transcript: the caller transcribes as usual.
   */
  async #commitDraft(utterance: Utterance, draft: Draft, event: Extract<VadEvent, { type: 'speech_end' }>, detectedAt: number): Promise<boolean> {
    const result = await draft.ready;
    if (!result || this.#closed.signal.aborted) {
      if (!result) this.#dropDraft(utterance);
      return false;
    }
    const { telemetry, speechEndedAt } = draft;
    telemetry.recordStage(SPAN.vadEndpoint, speechEndedAt, detectedAt, {
      [ATTR.audioSeconds]: event.audio.length / PIPELINE_SAMPLE_RATE_HZ,
      's2s.vad.truncated': event.truncated,
    });
    const timings: TurnTimings = { vadEndpointMs: round(detectedAt - speechEndedAt), asrMs: result.asrMs };
    this.#handlers.emit({ type: 'transcript_final', turnId: utterance.turnId, text: result.text });
    if (result.text === '') {
      telemetry.ended('empty', timings, {});
      return true;
    }
    if (result.speculation?.commit(timings)) return true;
    // No draft turn (the session only remembers utterances, or new input replaced the draft, whose span has ended):
    // the transcript goes on as any final.
    const lang = this.#detectedLang(result.detected);
    const turnTelemetry = result.speculation ? this.#deps.telemetry.turn(utterance.turnId, speechEndedAt) : telemetry;
    await this.#handlers.utterance({ id: utterance.turnId, text: result.text, startedAt: speechEndedAt, timings, telemetry: turnTelemetry, source: 'voice', ...(lang && { lang }) });
    return true;
  }

  /**
   * Transcript-confirmed barge-in: an acknowledgement said over the answer is no new turn, and the answer goes on.
   * Even when the answer has ended by the time its transcript is ready: "uh-huh" to a finished answer asks nothing.
   */
  #onlyBackchannel(utterance: Utterance, text: string): boolean {
    return this.#deps.settings.bargeInConfirm === 'transcript' && utterance.duringAnswer && !utterance.bargedIn && isBackchannel(text);
  }

  #transcribeOptions() {
    return { language: this.#session.lang, signal: this.#closed.signal, sessionId: this.#session.id };
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;
