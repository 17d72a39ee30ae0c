/**
 * Fakes for unit tests of the session core: a scripted agent, a synthesizer that speaks a fixed number of samples
 * per character, voices, and a sink that records everything in order. They keep the contracts the real engines
 * keep (abort stops a stream quietly, a closed sink takes nothing), so the session cannot tell them apart.
 */
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { pino } from 'pino';
import type { AgentEvent, AgentTurn, Agent, ConversationItem } from '../../src/contracts/agent.ts';
import type { SynthesisOptions, Synthesizer } from '../../src/contracts/tts.ts';
import type { Voice, Voices } from '../../src/contracts/voices.ts';
import { GatewayMetrics } from '../../src/observability/metrics.ts';
import type { SessionEvent, SessionSink } from '../../src/session/events.ts';
import { MemoryLeases } from '../../src/session/leases.ts';
import { Session, type SessionDeps } from '../../src/session/session.ts';
import { MemorySessionStore } from '../../src/session/store.ts';
import { SessionTelemetry } from '../../src/session/telemetry.ts';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An agent answering each turn with a script: tokens (and tool calls) at a fixed pace, or a failure. */
export class FakeAgent implements Agent {
  readonly turns: AgentTurn[] = [];
  readonly truncations: { threadId: string; heardText: string }[] = [];
  /** Every stream's signal, to check that interrupted turns abort their agent. */
  readonly signals: AbortSignal[] = [];
  script: { events: AgentEvent[]; tokenDelayMs?: number } | { fail: Error } = { events: tokens('Hello there. How are you?') };

  async *respond(turn: AgentTurn): AsyncIterable<AgentEvent> {
    this.turns.push(turn);
    this.signals.push(turn.signal);
    const script = this.script;
    if ('fail' in script) throw script.fail;
    for (const event of script.events) {
      if (turn.signal.aborted) return;
      if (script.tokenDelayMs) await sleep(script.tokenDelayMs);
      yield event;
    }
  }

  async truncateLastAnswer(threadId: string, heardText: string): Promise<void> {
    this.truncations.push({ threadId, heardText });
  }

  readonly items: { threadId: string; item: ConversationItem }[] = [];

  async addItems(threadId: string, items: readonly ConversationItem[]): Promise<void> {
    for (const item of items) this.items.push({ threadId, item });
  }

  async close(): Promise<void> {}
}

/** Word tokens of a text, as an LLM streams them. */
export function tokens(text: string): AgentEvent[] {
  return text.split(/(?<= )/).map((word) => ({ type: 'token', text: word }));
}

/** Speaks `samplesPerChar` samples of a constant per character, in one chunk, after `delayMs`. */
export class FakeSynthesizer implements Synthesizer {
  readonly name: string;
  readonly sampleRateHz: number;
  readonly speakers: readonly string[];
  readonly requests: { text: string; options: SynthesisOptions }[] = [];
  samplesPerChar = 160;
  delayMs = 0;

  constructor(name = 'fake-voice', sampleRateHz = 16_000, speakers: readonly string[] = []) {
    this.name = name;
    this.sampleRateHz = sampleRateHz;
    this.speakers = speakers;
  }

  async *synthesize(text: string, options: SynthesisOptions): AsyncIterable<Int16Array> {
    this.requests.push({ text, options });
    if (this.delayMs) await sleep(this.delayMs);
    if (options.signal.aborted) return;
    yield new Int16Array(text.length * this.samplesPerChar).fill(1_000);
  }

  async close(): Promise<void> {}
}

/** Voices by name; `byLang` picks one per language, else the first is the default. */
export function fakeVoices(synthesizers: FakeSynthesizer[], byLang: Record<string, string> = {}): Voices {
  const voices = new Map<string, Voice>(
    synthesizers.map((s) => [s.name, { name: s.name, sampleRateHz: s.sampleRateHz, speakers: s.speakers, synthesizer: () => s }]),
  );
  const first = voices.get(synthesizers[0]!.name)!;
  return {
    has: (name) => voices.has(name),
    select: (lang, name) => (name && voices.get(name)) || voices.get(byLang[lang] ?? '') || first,
  };
}

/** A sink that records events and audio in order; `slow` makes `drained` wait, as a client that reads slowly. */
export class RecordingSink implements SessionSink {
  readonly log: ({ kind: 'event'; event: SessionEvent } | { kind: 'audio'; turnId: string; samples: number })[] = [];
  #waiters: (() => void)[] = [];
  slowMs = 0;

  event(event: SessionEvent): void {
    this.log.push({ kind: 'event', event });
    this.#wake();
  }

  audio(turnId: string, pcm: Int16Array): void {
    this.log.push({ kind: 'audio', turnId, samples: pcm.length });
    this.#wake();
  }

  async drained(signal: AbortSignal): Promise<void> {
    if (this.slowMs > 0 && !signal.aborted) await sleep(this.slowMs);
  }

  events<T extends SessionEvent['type']>(type?: T): Extract<SessionEvent, { type: T }>[] {
    return this.log.flatMap((entry) => (entry.kind === 'event' && (type === undefined || entry.event.type === type) ? [entry.event] : [])) as Extract<
      SessionEvent,
      { type: T }
    >[];
  }

  audioSamples(turnId?: string): number {
    return this.log.reduce((n, entry) => n + (entry.kind === 'audio' && (turnId === undefined || entry.turnId === turnId) ? entry.samples : 0), 0);
  }

  /** Resolves with the first event of this type (after `skip` of them), waiting for it if need be. */
  async next<T extends SessionEvent['type']>(type: T, skip = 0, timeoutMs = 2_000): Promise<Extract<SessionEvent, { type: T }>> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.events(type)[skip];
      if (found) return found;
      if (performance.now() > deadline) throw new Error(`no ${type} event within ${timeoutMs} ms; got ${this.events().map((e) => e.type).join(', ')}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

export interface SessionUnderTest {
  session: Session;
  sink: RecordingSink;
  agent: FakeAgent;
  voice: FakeSynthesizer;
}

/** A session over fakes; `deps` replaces any part of its dependencies. */
export function fakeSession(deps: Partial<SessionDeps> = {}, voices: FakeSynthesizer[] = [new FakeSynthesizer()]): SessionUnderTest {
  const sink = new RecordingSink();
  const agent = new FakeAgent();
  const session = new Session(sink, {
    limits: { maxTextChars: 1_000, idleTimeoutMs: 60_000, maxSessionMs: 3_600_000, maxTurnsPerMinute: 1_000 },
    agent: () => agent,
    voices: fakeVoices(voices),
    store: new MemorySessionStore(),
    leases: new MemoryLeases(),
    owner: undefined,
    createVoiceInput: async () => {
      throw new Error('this session takes no audio');
    },
    // Synthesis capacity without limit; a test of admission hands its own.
    reserveSpeech: () => () => {},
    log: pino({ level: 'silent' }),
    telemetry: new SessionTelemetry(GatewayMetrics.create(), { traceContent: false, parent: ROOT_CONTEXT }),
    ...deps,
  });
  return { session, sink, agent, voice: voices[0]! };
}
