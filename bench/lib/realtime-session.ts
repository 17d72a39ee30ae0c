/**
 * A voice session over the Realtime transport (`/v1/realtime`), measured the way `runVoiceSession` measures
 * protocol v1: the utterance streamed in real time as `input_audio_buffer.append` events of 20 ms at 24 kHz (what
 * Realtime clients send), server VAD, and the client's clock from the last speech frame sent to the first
 * `response.output_audio.delta`. The gateway's stage times come back in `response.done.response.s2s_timings`,
 * so the overhead is computed with the same formula. A plain `ws` client on loopback: the bench measures the
 * gateway, not TLS.
 */
import { WebSocket } from 'ws';
import { Pcm16Resampler } from '../../src/audio/pcm16-resampler.ts';
import { REALTIME_PATH } from '../../src/transports/realtime/route.ts';
import { V1_PATH } from '../../src/transports/v1/route.ts';
import { streamPcm, type Wav } from '../../test/support/wav.ts';
import type { DriverOptions, TurnSample, Utterance } from './sessions.ts';

const REALTIME_RATE_HZ = 24_000;
const FRAME_MS = 20;
const TURN_TIMEOUT_MS = 30_000;

interface Received {
  at: number;
  event: { type: string } & Record<string, unknown>;
}

/** The Realtime URL of the gateway whose protocol v1 URL the bench was given. */
export function realtimeUrl(v1Url: string): string {
  return v1Url.replace(V1_PATH, REALTIME_PATH);
}

/** The utterance at 24 kHz, resampled once before any session starts (a client's microphone runs at 24 kHz). */
export async function at24kHz(utterance: Utterance): Promise<Utterance> {
  const resampler = await Pcm16Resampler.create(utterance.wav.sampleRateHz, REALTIME_RATE_HZ);
  const head = resampler.process(utterance.wav.samples);
  const tail = resampler.drain();
  resampler.close();
  const samples = new Int16Array(head.length + tail.length);
  samples.set(head);
  samples.set(tail, head.length);
  const wav: Wav = { sampleRateHz: REALTIME_RATE_HZ, channels: 1, samples };
  // Same frame index: frames are 20 ms at either rate.
  return { ...utterance, wav };
}

export async function runRealtimeVoiceSession(options: DriverOptions & { utterance: Utterance; minSilenceMs: number }): Promise<TurnSample[]> {
  const { utterance, minSilenceMs } = options;
  const received: Received[] = [];
  let wake: (() => void) | undefined;
  let ws: WebSocket;
  try {
    ws = new WebSocket(realtimeUrl(options.url));
    ws.on('message', (data: Buffer) => {
      received.push({ at: performance.now(), event: JSON.parse(data.toString('utf8')) as Received['event'] });
      wake?.();
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  } catch (err) {
    return [{ failure: `connect: ${(err as Error).message}` }];
  }
  const next = async (type: string, from: number): Promise<Received> => {
    const deadline = performance.now() + TURN_TIMEOUT_MS;
    for (;;) {
      const found = received.slice(from).find((r) => r.event.type === type);
      if (found) return found;
      if (performance.now() > deadline || options.signal.aborted) throw new Error(`no ${type} within ${TURN_TIMEOUT_MS} ms`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 100);
      });
    }
  };
  const samples: TurnSample[] = [];
  try {
    await next('session.created', 0);
    for (let i = 0; i < options.turns && !options.signal.aborted; i++) {
      samples.push(await turn(ws, received, next, utterance, minSilenceMs).catch((err: Error) => ({ failure: err.message.slice(0, 200) })));
    }
    const error = received.find((r) => r.event.type === 'error');
    if (error) samples.push({ failure: `protocol: ${JSON.stringify(error.event.error).slice(0, 200)}` });
  } finally {
    ws.close();
  }
  return samples;
}

async function turn(
  ws: WebSocket,
  received: Received[],
  next: (type: string, from: number) => Promise<Received>,
  utterance: Utterance,
  minSilenceMs: number,
): Promise<TurnSample> {
  const from = received.length;
  let frame = 0;
  let speechEndSentAt = Number.NaN;
  const streamed = streamPcm(
    (bytes) => {
      ws.send(JSON.stringify({ type: 'input_audio_buffer.append', audio: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') }));
      if (frame++ === utterance.lastSpeechFrame) speechEndSentAt = performance.now();
    },
    utterance.wav,
    { frameMs: FRAME_MS, silenceMs: utterance.trailingSilenceMs },
  );
  const done = await next('response.done', from);
  await streamed;
  const response = done.event.response as { status: string; s2s_timings?: Record<string, number> };
  const firstAudio = received.slice(from).find((r) => r.event.type === 'response.output_audio.delta');
  const speechEnd = received.slice(from).find((r) => r.event.type === 'input_audio_buffer.speech_stopped');
  return {
    ...(response.s2s_timings && { timings: response.s2s_timings }),
    interrupted: response.status === 'cancelled',
    ...(firstAudio && { latencyMs: firstAudio.at - speechEndSentAt }),
    ...(speechEnd && { speechEndDelayMs: speechEnd.at - (speechEndSentAt + minSilenceMs) }),
  };
}
