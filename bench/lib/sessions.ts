/**
 * What one benchmark client does, and what it measures on its own clock (performance.now() in the bench
 * process). Every driver runs its turns one after the other on one connection and gives back one sample per
 * turn; a failed turn becomes a sample with `failure` set rather than ending the run.
 */
import { streamPcm, type Wav } from '../../test/support/wav.ts';
import { TestClient } from '../../test/support/ws-client.ts';
import type { Timings } from './overhead.ts';

const MIC_16K = { sample_rate: 16_000, format: 'pcm16', channels: 1 } as const;
const FRAME_MS = 20;
/** Bounds every wait for the gateway; a turn that takes longer is reported as failed. */
const TURN_TIMEOUT_MS = 30_000;

export interface Utterance {
  wav: Wav;
  /** Index of the last 20 ms frame that holds speech (see speech-end.ts). */
  lastSpeechFrame: number;
  trailingSilenceMs: number;
}

export interface TurnSample {
  failure?: string;
  timings?: Timings;
  interrupted?: boolean;
  /** voice: last speech frame sent -> first audio byte; text and interrupt: text_input sent -> first audio byte. */
  latencyMs?: number;
  /** voice: vad speech_end received - (last speech frame sent + minSilenceMs). */
  speechEndDelayMs?: number;
  /** interrupt: interrupt sent -> last audio frame received before response_end (0 when none came after). */
  interruptToLastAudioMs?: number;
  interruptToEndMs?: number;
}

export interface DriverOptions {
  url: string;
  turns: number;
  signal: AbortSignal;
}

type Driver = (client: TestClient, options: DriverOptions) => Promise<TurnSample>;

async function drive(options: DriverOptions, startFields: Record<string, unknown>, turn: Driver): Promise<TurnSample[]> {
  const samples: TurnSample[] = [];
  let client: TestClient;
  try {
    client = await TestClient.connect(options.url);
    await client.start({ ...startFields });
  } catch (err) {
    return [{ failure: `connect: ${(err as Error).message}` }];
  }
  try {
    for (let i = 0; i < options.turns && !options.signal.aborted; i++) {
      samples.push(await turn(client, options).catch((err: Error) => ({ failure: err.message.slice(0, 200) })));
    }
    if (client.protocolErrors.length > 0) samples.push({ failure: `protocol: ${client.protocolErrors[0]}` });
  } finally {
    await client.close();
  }
  return samples;
}

/** Streams the utterance in real time, then its trailing silence, and waits for the spoken answer to end. */
export function runVoiceSession(options: DriverOptions & { utterance: Utterance; minSilenceMs: number }): Promise<TurnSample[]> {
  const { utterance, minSilenceMs } = options;
  return drive(options, { audio: MIC_16K }, async (client) => {
    const from = client.received.length;
    const endsBefore = client.messages('response_end').length;
    let frame = 0;
    let speechEndSentAt = Number.NaN;
    const streamed = streamPcm(
      (bytes) => {
        client.sendAudio(bytes);
        if (frame++ === utterance.lastSpeechFrame) speechEndSentAt = performance.now();
      },
      utterance.wav,
      { frameMs: FRAME_MS, silenceMs: utterance.trailingSilenceMs },
    );
    const end = await client.next('response_end', { after: endsBefore, timeoutMs: TURN_TIMEOUT_MS });
    await streamed;
    const firstAudio = firstAudioAfter(client, from);
    const speechEnd = client.received.slice(from).find((r) => r.kind === 'message' && r.message.type === 'vad' && r.message.state === 'speech_end');
    return {
      timings: end.timings,
      interrupted: end.interrupted,
      ...(firstAudio && { latencyMs: firstAudio.at - speechEndSentAt }),
      ...(speechEnd && { speechEndDelayMs: speechEnd.at - (speechEndSentAt + minSilenceMs) }),
    };
  });
}

/** Sends a text turn and waits for the spoken answer to end. */
export function runTextSession(options: DriverOptions & { text: string }): Promise<TurnSample[]> {
  return drive(options, {}, async (client) => {
    const from = client.received.length;
    const endsBefore = client.messages('response_end').length;
    const sentAt = performance.now();
    client.send({ type: 'text_input', text: options.text });
    const end = await client.next('response_end', { after: endsBefore, timeoutMs: TURN_TIMEOUT_MS });
    const firstAudio = firstAudioAfter(client, from);
    return { timings: end.timings, interrupted: end.interrupted, ...(firstAudio && { latencyMs: firstAudio.at - sentAt }) };
  });
}

/** Sends a text turn, interrupts it as soon as its first audio frame arrives, and times how fast it stops. */
export function runInterruptSession(options: DriverOptions & { text: string }): Promise<TurnSample[]> {
  return drive(options, {}, async (client) => {
    const from = client.received.length;
    const endsBefore = client.messages('response_end').length;
    const sentAt = performance.now();
    client.send({ type: 'text_input', text: options.text });
    const firstAudio = await nextAudio(client, from, options.signal);
    const interruptAt = performance.now();
    client.send({ type: 'interrupt' });
    const end = await client.next('response_end', { after: endsBefore, timeoutMs: TURN_TIMEOUT_MS });
    const endIndex = client.received.findIndex((r, i) => i >= from && r.kind === 'message' && r.message === end);
    const lastAudio = client.received.slice(from, endIndex).findLast((r) => r.kind === 'audio');
    const endAt = client.received[endIndex]?.at ?? Number.NaN;
    if (!end.interrupted) return { timings: end.timings, interrupted: false, failure: 'the answer ended before the interrupt reached it' };
    return {
      timings: end.timings,
      interrupted: true,
      latencyMs: firstAudio.at - sentAt,
      interruptToLastAudioMs: Math.max(0, (lastAudio?.at ?? interruptAt) - interruptAt),
      interruptToEndMs: endAt - interruptAt,
    };
  });
}

function firstAudioAfter(client: TestClient, from: number) {
  return client.received.slice(from).find((r) => r.kind === 'audio');
}

/** The first audio frame after `from`, as soon as it arrives (no polling, so the interrupt follows at once). */
function nextAudio(client: TestClient, from: number, signal: AbortSignal): Promise<{ at: number }> {
  const { promise, resolve, reject } = Promise.withResolvers<{ at: number }>();
  const check = () => {
    const found = firstAudioAfter(client, from);
    if (!found) return;
    cleanup();
    resolve(found);
  };
  const fail = () => {
    cleanup();
    reject(new Error(`no audio within ${TURN_TIMEOUT_MS} ms`));
  };
  const timer = setTimeout(fail, TURN_TIMEOUT_MS);
  const cleanup = () => {
    clearTimeout(timer);
    client.ws.off('message', check);
    signal.removeEventListener('abort', fail);
  };
  // Listeners run in order: the client has recorded the frame by the time this one looks.
  client.ws.on('message', check);
  signal.addEventListener('abort', fail, { once: true });
  check();
  return promise;
}
