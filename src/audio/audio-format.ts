import { GatewayError } from '../core/errors.ts';
import type { SessionStart } from '../transports/v1/messages.ts';

/** The audio format a client announces in `session_start`. */
export type ClientAudioFormat = NonNullable<SessionStart['audio']>;

export const MIN_SAMPLE_RATE_HZ = 8_000;
export const MAX_SAMPLE_RATE_HZ = 48_000;
export const MAX_CHANNELS = 2;
/** What every stage after the audio input works on: 16 kHz mono PCM16. */
export const PIPELINE_SAMPLE_RATE_HZ = 16_000;

/** Undefined when the gateway can take this format; otherwise the error to send the client. */
export function audioFormatError(format: ClientAudioFormat): GatewayError | undefined {
  if (format.format !== 'pcm16') {
    return new GatewayError('bad_audio_format', `audio.format must be "pcm16" (16-bit little-endian PCM), got "${format.format}"`);
  }
  if (!Number.isInteger(format.sample_rate) || format.sample_rate < MIN_SAMPLE_RATE_HZ || format.sample_rate > MAX_SAMPLE_RATE_HZ) {
    return new GatewayError(
      'bad_audio_format',
      `audio.sample_rate must be an integer from ${MIN_SAMPLE_RATE_HZ} to ${MAX_SAMPLE_RATE_HZ} Hz, got ${format.sample_rate}`,
    );
  }
  if (format.channels !== 1 && format.channels !== MAX_CHANNELS) {
    return new GatewayError('bad_audio_format', `audio.channels must be 1 or 2, got ${format.channels}`);
  }
  return undefined;
}
