import { GatewayError } from '../core/errors.ts';

/** Raw audio a client sends or asks for: interleaved 16-bit little-endian PCM. */
export interface AudioFormat {
  /** Only 'pcm16' is taken; transports that carry other encodings decode them first. */
  encoding: string;
  sampleRateHz: number;
  channels: number;
}

const MIN_SAMPLE_RATE_HZ = 8_000;
const MAX_SAMPLE_RATE_HZ = 48_000;
const MAX_CHANNELS = 2;
/** What every stage after the audio input works on: 16 kHz mono PCM16. */
export const PIPELINE_SAMPLE_RATE_HZ = 16_000;
/** Full scale of a PCM16 sample, for conversions to and from -1..1. */
export const PCM16_SCALE = 32_768;

/** Undefined when the gateway can take this format; otherwise the error to give the client. */
export function audioFormatError(format: AudioFormat): GatewayError | undefined {
  if (format.encoding !== 'pcm16') {
    return new GatewayError('bad_audio_format', `the audio encoding must be "pcm16" (16-bit little-endian PCM), got "${format.encoding}"`);
  }
  const rateError = sampleRateError(format.sampleRateHz, 'audio');
  if (rateError) return rateError;
  if (format.channels !== 1 && format.channels !== MAX_CHANNELS) {
    return new GatewayError('bad_audio_format', `the audio channels must be 1 or 2, got ${format.channels}`);
  }
  return undefined;
}

/** Undefined for a whole rate the gateway can take or produce (8-48 kHz); otherwise the error naming `what`. */
export function sampleRateError(sampleRateHz: number, what: string): GatewayError | undefined {
  if (Number.isInteger(sampleRateHz) && sampleRateHz >= MIN_SAMPLE_RATE_HZ && sampleRateHz <= MAX_SAMPLE_RATE_HZ) return undefined;
  return new GatewayError(
    'bad_audio_format',
    `the ${what} sample rate must be a whole number from ${MIN_SAMPLE_RATE_HZ} to ${MAX_SAMPLE_RATE_HZ} Hz, got ${sampleRateHz}`,
  );
}
