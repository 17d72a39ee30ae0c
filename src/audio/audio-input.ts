import { audioFormatError, PCM16_SCALE, PIPELINE_SAMPLE_RATE_HZ, type AudioFormat } from './audio-format.ts';
import { Pcm16MonoDecoder } from './pcm16-mono-decoder.ts';
import { toPcm16 } from './pcm16-resampler.ts';
import { StreamingResampler } from './streaming-resampler.ts';

/** One session's microphone audio, turned into what the pipeline works on: 16 kHz mono PCM16. */
export interface AudioInput {
  readonly format: AudioFormat;
  /** A binary message of any size; returns the 16 kHz mono samples it completes (possibly none). */
  push(bytes: Uint8Array): Int16Array;
  /**
   * The resampler's held-back tail (a few ms), so everything received so far has come out: call on `audio_end`
   * before flushing the endpointer. An incomplete sample still waiting for its other bytes is kept.
   */
  flush(): Int16Array;
  /** Frees the resampler. */
  close(): void;
}

/**
 * Throws GatewayError('bad_audio_format') for a format `audioFormatError` refuses.
 * Async because libsamplerate instantiates its WebAssembly module per converter (about 5 ms, synchronous inside).
 */
export async function createAudioInput(format: AudioFormat): Promise<AudioInput> {
  const error = audioFormatError(format);
  if (error) throw error;
  const decoder = new Pcm16MonoDecoder(format.channels);
  const resampler =
    format.sampleRateHz === PIPELINE_SAMPLE_RATE_HZ ? undefined : await StreamingResampler.create(format.sampleRateHz, PIPELINE_SAMPLE_RATE_HZ);

  if (!resampler) {
    return {
      format,
      push: (bytes) => toPcm16(decoder.push(bytes), 1),
      flush: () => new Int16Array(0),
      close: () => undefined,
    };
  }
  return {
    format,
    push: (bytes) => toPcm16(resampler.process(scale(decoder.push(bytes))), PCM16_SCALE),
    flush: () => toPcm16(resampler.drain(), PCM16_SCALE),
    close: () => resampler.close(),
  };
}

function scale(pcm16Units: Float32Array): Float32Array {
  for (let i = 0; i < pcm16Units.length; i++) pcm16Units[i] = pcm16Units[i]! / PCM16_SCALE;
  return pcm16Units;
}
