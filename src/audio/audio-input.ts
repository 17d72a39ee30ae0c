import { audioFormatError, PIPELINE_SAMPLE_RATE_HZ, type ClientAudioFormat } from './audio-format.ts';
import { Pcm16MonoDecoder } from './pcm16-mono-decoder.ts';
import { StreamingResampler } from './streaming-resampler.ts';

/** One session's microphone audio, turned into what the pipeline works on: 16 kHz mono PCM16. */
export interface AudioInput {
  readonly format: ClientAudioFormat;
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
export async function createAudioInput(format: ClientAudioFormat): Promise<AudioInput> {
  const error = audioFormatError(format);
  if (error) throw error;
  const decoder = new Pcm16MonoDecoder(format.channels);
  const resampler =
    format.sample_rate === PIPELINE_SAMPLE_RATE_HZ ? undefined : await StreamingResampler.create(format.sample_rate, PIPELINE_SAMPLE_RATE_HZ);

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

const PCM16_SCALE = 32_768;

function scale(pcm16Units: Float32Array): Float32Array {
  for (let i = 0; i < pcm16Units.length; i++) pcm16Units[i] = pcm16Units[i]! / PCM16_SCALE;
  return pcm16Units;
}

function toPcm16(samples: Float32Array, gain: number): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    // A band-limited filter can overshoot full scale on clipped input: saturate rather than wrap.
    out[i] = Math.max(-32_768, Math.min(32_767, Math.round(samples[i]! * gain)));
  }
  return out;
}
