import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import wavefile from 'wavefile';
import { GatewayError } from '../../core/errors.ts';
import type { DecodedChunk } from './decode-audio.ts';

// wavefile types its chunks as bare objects; these are the fields of the parsed ones read here.
interface WavFmt {
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  byteRate: number;
  bitsPerSample: number;
}

const YIELD_EVERY_FRAMES = 64 * 1024;
const PCM = 1;
const IEEE_FLOAT = 3;
const A_LAW = 6;
const MU_LAW = 7;
const IMA_ADPCM = 17;
const EXTENSIBLE = 0xfffe;

/**
 * A WAV file of any rate, channel count and sample format wavefile reads (8-32 bit integer, 32/64 bit float,
 * A-law, mu-law, IMA ADPCM) as float channels. `checkDuration` is told the length from the header, before any
 * sample is converted.
 */
export async function decodeWav(bytes: Uint8Array, checkDuration: (seconds: number) => void): Promise<DecodedChunk> {
  const wav = new wavefile.WaveFile(bytes);
  // Copied: converting the samples rewrites the parsed chunks in place.
  const fmt = { ...(wav.fmt as WavFmt) };
  // A streamed WAV cannot know its length and says the largest (0xFFFFFFFF, as ffmpeg and this gateway write it):
  // it is as long as the bytes that follow.
  const dataBytes = Math.min((wav.data as { chunkSize: number }).chunkSize, bytes.byteLength);
  if (!(fmt.sampleRate > 0) || !(fmt.numChannels > 0)) throw new GatewayError('bad_audio', 'the WAV header has no rate or channels');
  checkDuration(fmt.byteRate > 0 ? dataBytes / fmt.byteRate : 0);
  if (fmt.audioFormat === A_LAW) wav.fromALaw();
  else if (fmt.audioFormat === MU_LAW) wav.fromMuLaw();
  else if (fmt.audioFormat === IMA_ADPCM) wav.fromIMAADPCM();
  else if (![PCM, IEEE_FLOAT, EXTENSIBLE].includes(fmt.audioFormat)) {
    throw new GatewayError('unsupported_audio', `WAV sample format ${fmt.audioFormat} is not supported; use PCM, float, A-law, mu-law or IMA ADPCM`);
  }
  // wavefile parses the chunks and expands the companded formats; its own sample conversion takes seconds for a
  // minute of audio on the event loop, so the samples are read here.
  const bitDepth = (wav as unknown as { bitDepth: string }).bitDepth;
  const read = sampleReader(bitDepth);
  if (read === undefined) throw new GatewayError('unsupported_audio', `WAV with ${bitDepth}-bit samples is not supported`);
  const raw = (wav.data as { samples: Uint8Array }).samples;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const frameBytes = read.bytes * fmt.numChannels;
  const frames = Math.floor(raw.byteLength / frameBytes);
  const channelData = Array.from({ length: fmt.numChannels }, () => new Float32Array(frames));
  // A block of frames at a time, yielding between blocks: a long file never holds live sessions' event loop.
  for (let block = 0; block < frames; block += YIELD_EVERY_FRAMES) {
    const end = Math.min(frames, block + YIELD_EVERY_FRAMES);
    channelData.forEach((channel, c) => {
      for (let i = block, offset = block * frameBytes + c * read.bytes; i < end; i++, offset += frameBytes) channel[i] = read.sample(view, offset);
    });
    await yieldToEventLoop();
  }
  return { channelData, samplesDecoded: frames, sampleRate: fmt.sampleRate };
}

/** How to read one sample scaled to -1..1, by wavefile's bit depth name. */
function sampleReader(bitDepth: string): { bytes: number; sample: (view: DataView, offset: number) => number } | undefined {
  switch (bitDepth) {
    case '8':
      return { bytes: 1, sample: (v, o) => (v.getUint8(o) - 128) / 128 };
    case '16':
      return { bytes: 2, sample: (v, o) => v.getInt16(o, true) / 32_768 };
    case '24':
      return { bytes: 3, sample: (v, o) => ((v.getInt8(o + 2) << 16) | (v.getUint8(o + 1) << 8) | v.getUint8(o)) / 8_388_608 };
    case '32':
      return { bytes: 4, sample: (v, o) => v.getInt32(o, true) / 2_147_483_648 };
    case '32f':
      return { bytes: 4, sample: (v, o) => v.getFloat32(o, true) };
    case '64':
      return { bytes: 8, sample: (v, o) => v.getFloat64(o, true) };
    default:
      return undefined;
  }
}
