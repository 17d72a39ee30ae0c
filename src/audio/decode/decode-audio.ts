import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import { MPEGDecoder } from 'mpg123-decoder';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import { GatewayError } from '../../core/errors.ts';
import { PCM16_SCALE } from '../audio-format.ts';
import { toPcm16 } from '../pcm16-resampler.ts';
import { StreamingResampler } from '../streaming-resampler.ts';
import { ACCEPTED_AUDIO, sniffContainer, type AudioContainer } from './containers.ts';
import { decodeWav } from './wav.ts';
import { decodeWebmOpus } from './webm.ts';

export const ASR_RATE_HZ = 16_000;

/** Decoded audio, mono at the decoder's rate, channels averaged. */
export interface DecodedChunk {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
}

export interface DecodedAudio {
  /** 16 kHz mono PCM16, what the speech recogniser takes. */
  samples16k: Int16Array;
  durationSeconds: number;
  container: AudioContainer;
}

/** A streaming decoder of the wasm-audio-decoders family, fed the file piece by piece. */
interface ChunkDecoder {
  ready: Promise<void>;
  decode(chunk: Uint8Array): DecodedChunk | Promise<DecodedChunk>;
  flush?: () => Promise<DecodedChunk>;
  free(): void;
}

const CHUNK_BYTES = 64 * 1024;

function chunkDecoder(container: Exclude<AudioContainer, 'wav' | 'webm'>): ChunkDecoder {
  switch (container) {
    case 'ogg-opus':
      return new OggOpusDecoder();
    case 'ogg-vorbis':
      return new OggVorbisDecoder();
    case 'mp3':
      return new MPEGDecoder();
    case 'flac':
      return new FLACDecoder();
  }
}

/** Collects mono audio and stops the decoding once it is longer than allowed. */
export class MonoCollector {
  readonly #maxSeconds: number;
  readonly #chunks: Float32Array[] = [];
  #samples = 0;
  rateHz = 0;

  constructor(maxSeconds: number) {
    this.#maxSeconds = maxSeconds;
  }

  add(decoded: DecodedChunk): void {
    if (decoded.samplesDecoded === 0) return;
    if (this.rateHz !== 0 && decoded.sampleRate !== this.rateHz) throw new GatewayError('bad_audio', 'the audio changes sample rate midway');
    this.rateHz = decoded.sampleRate;
    this.#chunks.push(downmix(decoded.channelData, decoded.samplesDecoded));
    this.#samples += decoded.samplesDecoded;
    this.checkDuration(this.#samples / this.rateHz);
  }

  /** Refuses audio longer than the limit, as soon as its length is known. */
  checkDuration(seconds: number): void {
    if (seconds > this.#maxSeconds) {
      throw new GatewayError('audio_too_long', `the audio is longer than the ${this.#maxSeconds} s allowed`);
    }
  }

  get mono(): Float32Array {
    const all = new Float32Array(this.#samples);
    let offset = 0;
    for (const chunk of this.#chunks) {
      all.set(chunk, offset);
      offset += chunk.length;
    }
    return all;
  }
}

export function downmix(channels: readonly Float32Array[], length: number): Float32Array {
  if (channels.length === 1) return channels[0]!.slice(0, length);
  const mono = new Float32Array(length);
  for (const channel of channels) for (let i = 0; i < length; i++) mono[i]! += channel[i]! / channels.length;
  return mono;
}

/**
 * Any accepted audio file as 16 kHz mono PCM16 for the recogniser. The container is told by the file's bytes;
 * anything else is `unsupported_audio`, a broken file `bad_audio`, and audio longer than `maxSeconds` is refused
 * (`audio_too_long`) from its header where it has one (WAV), else as soon as the decoded part passes the limit.
 * Decoding yields to the event loop between pieces: live sessions keep their timing during a long upload.
 */
export async function decodeAudio(bytes: Uint8Array, maxSeconds: number): Promise<DecodedAudio> {
  const container = sniffContainer(bytes);
  if (container === undefined) {
    throw new GatewayError('unsupported_audio', `unsupported audio format; accepted: ${ACCEPTED_AUDIO.join(', ')}`);
  }
  const collector = new MonoCollector(maxSeconds);
  try {
    if (container === 'wav') collector.add(await decodeWav(bytes, (seconds) => collector.checkDuration(seconds)));
    else if (container === 'webm') await decodeWebmOpus(bytes, collector);
    else await decodeChunks(chunkDecoder(container), bytes, collector);
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new GatewayError('bad_audio', `the ${container} audio could not be decoded`, { cause: err });
  }
  if (collector.rateHz === 0) throw new GatewayError('bad_audio', `the ${container} file holds no audio`);
  const mono = collector.mono;
  return { samples16k: await toAsrRate(mono, collector.rateHz), durationSeconds: mono.length / collector.rateHz, container };
}

async function decodeChunks(decoder: ChunkDecoder, bytes: Uint8Array, collector: MonoCollector): Promise<void> {
  try {
    await decoder.ready;
    for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
      collector.add(await decoder.decode(bytes.subarray(offset, offset + CHUNK_BYTES)));
      await yieldToEventLoop();
    }
    if (decoder.flush) collector.add(await decoder.flush());
  } finally {
    decoder.free();
  }
}

async function toAsrRate(mono: Float32Array, rateHz: number): Promise<Int16Array> {
  if (rateHz === ASR_RATE_HZ) return toPcm16(mono, PCM16_SCALE);
  const resampler = await StreamingResampler.create(rateHz, ASR_RATE_HZ);
  try {
    const body = resampler.process(mono);
    const tail = resampler.drain();
    const all = new Float32Array(body.length + tail.length);
    all.set(body);
    all.set(tail, body.length);
    return toPcm16(all, PCM16_SCALE);
  } finally {
    resampler.close();
  }
}
