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
export function decodeWav(bytes: Uint8Array, checkDuration: (seconds: number) => void): DecodedChunk {
  const wav = new wavefile.WaveFile(bytes);
  // Copied: converting the samples rewrites the parsed chunks in place.
  const fmt = { ...(wav.fmt as WavFmt) };
  const dataBytes = (wav.data as { chunkSize: number }).chunkSize;
  if (!(fmt.sampleRate > 0) || !(fmt.numChannels > 0)) throw new GatewayError('bad_audio', 'the WAV header has no rate or channels');
  checkDuration(fmt.byteRate > 0 ? dataBytes / fmt.byteRate : 0);
  if (fmt.audioFormat === A_LAW) wav.fromALaw();
  else if (fmt.audioFormat === MU_LAW) wav.fromMuLaw();
  else if (fmt.audioFormat === IMA_ADPCM) wav.fromIMAADPCM();
  else if (![PCM, IEEE_FLOAT, EXTENSIBLE].includes(fmt.audioFormat)) {
    throw new GatewayError('unsupported_audio', `WAV sample format ${fmt.audioFormat} is not supported; use PCM, float, A-law, mu-law or IMA ADPCM`);
  }
  if ((wav as unknown as { bitDepth: string }).bitDepth !== '32f') wav.toBitDepth('32f');
  // Interleaved: wavefile's per-channel output comes back as numbers only for stereo and up.
  const interleaved = wav.getSamples(true, Float32Array) as unknown as Float32Array;
  const frames = Math.floor(interleaved.length / fmt.numChannels);
  const channelData = Array.from({ length: fmt.numChannels }, (_, c) => {
    const channel = new Float32Array(frames);
    for (let i = 0; i < frames; i++) channel[i] = interleaved[i * fmt.numChannels + c]!;
    return channel;
  });
  return { channelData, samplesDecoded: frames, sampleRate: fmt.sampleRate };
}
