/**
 * Browser audio for an S2SClient: the microphone and the speaker, each in an AudioWorklet so neither the page's
 * work nor a busy main thread makes audio glitch.
 */
/** @import { S2SClient } from './s2s-client.js' */
/** @import { AudioChunk } from './types.d.ts' */

const CAPTURE_WORKLET = new URL('./worklets/capture-processor.js', import.meta.url);
const PLAYBACK_WORKLET = new URL('./worklets/playback-processor.js', import.meta.url);

/** The highest rate protocol v1 takes, in and out. */
const MAX_RATE_HZ = 48_000;

/**
 * An AudioContext at the device's own rate (no resampling in the browser) when the gateway takes that rate, else
 * at 48 kHz. Make it in a click handler, so the browser lets it play.
 */
export function createAudioContext() {
  const context = new AudioContext();
  if (context.sampleRate <= MAX_RATE_HZ) return context;
  void context.close();
  return new AudioContext({ sampleRate: MAX_RATE_HZ });
}

/**
 * @typedef {object} MicrophoneOptions
 * @property {AudioContext} [context] the context to capture in (default: `createAudioContext()`)
 * @property {string} [deviceId]
 * @property {boolean} [echoCancellation] default true (the answer played aloud must not be heard as the user)
 * @property {boolean} [noiseSuppression] default true
 * @property {boolean} [autoGainControl] default true
 * @property {number} [frameMs] audio per message (default 20)
 */

/**
 * The microphone as mono PCM16 frames at its context's rate (announce `{sample_rate: context.sampleRate, format:
 * 'pcm16', channels: 1}` in `session_start.audio`), with a peak level per frame.
 */
export class Microphone {
  /** @type {(pcm: Int16Array<ArrayBuffer>) => void} */
  onAudio = () => {};
  /** @type {(peak: number) => void} peak of the last frame, 0..1 */
  onLevel = () => {};
  #stream;
  #source;
  #node;
  context;

  /**
   * @param {AudioContext} context
   * @param {MediaStream} stream
   * @param {MediaStreamAudioSourceNode} source
   * @param {AudioWorkletNode} node
   */
  constructor(context, stream, source, node) {
    this.context = context;
    this.#stream = stream;
    this.#source = source;
    this.#node = node;
    node.port.onmessage = (event) => {
      /** @type {{ pcm: Int16Array<ArrayBuffer>, peak: number }} */
      const { pcm, peak } = event.data;
      this.onLevel(peak);
      this.onAudio(pcm);
    };
  }

  /**
   * Asks for the microphone (the browser's permission prompt) and starts capturing. A refusal rejects with the
   * browser's DOMException (`NotAllowedError`).
   * @param {MicrophoneOptions} [options]
   */
  static async open(options = {}) {
    const { echoCancellation = true, noiseSuppression = true, autoGainControl = true, frameMs = 20 } = options;
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation, noiseSuppression, autoGainControl, ...(options.deviceId && { deviceId: { exact: options.deviceId } }) },
    });
    const context = options.context ?? createAudioContext();
    // A context made outside a user gesture starts suspended.
    await context.resume();
    await context.audioWorklet.addModule(CAPTURE_WORKLET);
    const source = context.createMediaStreamSource(stream);
    // No outputs: the worklet is a sink, processed without sending the microphone to the speakers.
    const node = new AudioWorkletNode(context, 's2s-capture', { numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1, channelCountMode: 'explicit', processorOptions: { frameMs } });
    source.connect(node);
    return new Microphone(context, stream, source, node);
  }

  get sampleRateHz() {
    return this.context.sampleRate;
  }

  stop() {
    this.#source.disconnect();
    this.#node.port.onmessage = null;
    for (const track of this.#stream.getTracks()) track.stop();
  }
}

/** @typedef {{ turnId: string, playedMs: number }} Played */

/**
 * @typedef {object} PlayerOptions
 * @property {AudioContext} [context] used when its rate is the one asked for, else a new context at that rate
 * @property {number} [prebufferMs] the jitter buffer: audio queued before a turn starts playing (default 60)
 * @property {number} [maxBufferedMs] the most audio queued; beyond it new audio is dropped (default 300000)
 */

/** Plays answer audio at the rate the session announced, and knows how much of each answer was heard. */
export class Player {
  /** @type {(played: Played) => void} progress, about every 100 ms while playing */
  onProgress = () => {};
  /** @type {(played: Played) => void} an answer played to its end */
  onDrained = () => {};
  /** @type {(info: { turnId: string, droppedFrames: number }) => void} */
  onOverflow = () => {};
  /** Frames played since the player was created, over all turns. */
  framesPlayed = 0;
  #node;
  /** @type {Array<(played: Played | undefined) => void>} */
  #clearing = [];
  /** Answers sent to the worklet and not yet played to their end or cleared. */
  #pending = new Set();
  context;

  /** @param {AudioContext} context @param {AudioWorkletNode} node */
  constructor(context, node) {
    this.context = context;
    this.#node = node;
    node.port.onmessage = (event) => {
      /** @type {{ type: 'played' | 'drained' | 'cleared' | 'overflow', turnId?: string, playedFrames: number, totalFrames: number, droppedFrames: number }} */
      const message = event.data;
      const { type, turnId, playedFrames } = message;
      if (type === 'overflow') return this.onOverflow({ turnId: turnId ?? '', droppedFrames: message.droppedFrames });
      this.framesPlayed = message.totalFrames;
      const played = turnId === undefined ? undefined : { turnId, playedMs: (playedFrames * 1000) / context.sampleRate };
      if (type === 'played' && played) this.onProgress(played);
      if (type === 'drained' && played) {
        this.#pending.delete(played.turnId);
        this.onDrained(played);
      }
      if (type === 'cleared') for (const resolve of this.#clearing.splice(0)) resolve(played);
    };
  }

  /** @param {number} sampleRateHz @param {PlayerOptions} [options] */
  static async create(sampleRateHz, options = {}) {
    const { prebufferMs = 60, maxBufferedMs = 300_000 } = options;
    const context = options.context?.sampleRate === sampleRateHz ? options.context : new AudioContext({ sampleRate: sampleRateHz });
    await context.resume();
    await context.audioWorklet.addModule(PLAYBACK_WORKLET);
    const node = new AudioWorkletNode(context, 's2s-playback', { numberOfInputs: 0, outputChannelCount: [1], processorOptions: { prebufferMs, maxBufferedMs } });
    node.connect(context.destination);
    return new Player(context, node);
  }

  /** Whether an answer is playing or waiting in the queue. */
  get busy() {
    return this.#pending.size > 0;
  }

  /** @param {AudioChunk} chunk */
  play(chunk) {
    this.#pending.add(chunk.turnId);
    // Copied, not transferred: other listeners of the same chunk keep their view of it.
    this.#node.port.postMessage({ type: 'audio', turnId: chunk.turnId, pcm: chunk.pcm });
  }

  /** All audio of `turnId` has arrived: it plays to its end without waiting for more. @param {string} turnId */
  end(turnId) {
    this.#node.port.postMessage({ type: 'end', turnId });
  }

  /**
   * Stops now (the worklet empties its queue before the next render quantum) and says how much of the answer
   * that was playing had been heard.
   * @returns {Promise<Played | undefined>}
   */
  stop() {
    this.#pending.clear();
    return new Promise((resolve) => {
      this.#clearing.push(resolve);
      this.#node.port.postMessage({ type: 'clear' });
    });
  }

  /** Stops at once and lets go of the worklet (its context stays the caller's). */
  close() {
    this.#node.disconnect();
    this.#node.port.onmessage = null;
    for (const resolve of this.#clearing.splice(0)) resolve(undefined);
  }
}

/**
 * Wires a microphone and a player to a client: microphone audio goes out (in push-to-talk only while talking),
 * answers play, and an answer that is interrupted (by `client.interrupt()`, by the gateway's barge-in, or by the
 * user's next utterance) stops at once, with `playback.played_ms` sent so the agent remembers only what was
 * heard. Returns the way to unwire.
 * @param {S2SClient} client
 * @param {{ microphone?: Microphone, player: Player }} audio
 */
export function attachAudio(client, { microphone, player }) {
  const stopAndReport = async () => {
    const played = await player.stop();
    if (played) client.reportPlayback(played.turnId, played.playedMs);
  };
  if (microphone) microphone.onAudio = (pcm) => void client.sendAudio(pcm);
  player.onDrained = ({ turnId, playedMs }) => void client.reportPlayback(turnId, playedMs);
  const stops = [
    client.on('audio', (chunk) => player.play(chunk)),
    client.on('tts_end', ({ turn_id }) => player.end(turn_id)),
    client.on('interrupt', () => void stopAndReport()),
    client.on('response_end', ({ interrupted }) => {
      if (interrupted) void stopAndReport();
    }),
    // The user spoke again: whatever of the last answer is still playing is cut where they started.
    client.on('asr_final', ({ text }) => {
      if (text.trim() !== '' && player.busy) void stopAndReport();
    }),
  ];
  return () => {
    for (const stop of stops) stop();
    if (microphone) microphone.onAudio = () => {};
    player.onDrained = () => {};
  };
}
