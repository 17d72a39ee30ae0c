import { readFileSync } from 'node:fs';
import wavefile from 'wavefile';

export interface Wav {
  sampleRateHz: number;
  channels: number;
  /** PCM16, channels interleaved. */
  samples: Int16Array;
}

/** Reads a PCM16 WAV file (the test fixtures). Anything else is refused rather than silently converted. */
export function readWav(path: string): Wav {
  const wav = new wavefile.WaveFile(readFileSync(path));
  // wavefile types `fmt` as a bare object; these are the fields of its parsed fmt chunk.
  const fmt = wav.fmt as { audioFormat: number; bitsPerSample: number; sampleRate: number; numChannels: number };
  if (fmt.audioFormat !== 1 || fmt.bitsPerSample !== 16) {
    throw new Error(`${path}: expected PCM16, got format ${fmt.audioFormat} with ${fmt.bitsPerSample} bits`);
  }
  const samples = wav.getSamples(true, Int16Array) as unknown as Int16Array;
  return { sampleRateHz: fmt.sampleRate, channels: fmt.numChannels, samples };
}

/** Little-endian PCM16 bytes of interleaved samples, as a client sends them. */
export function toPcm16Bytes(samples: Int16Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  samples.forEach((s, i) => view.setInt16(i * 2, s, true));
  return bytes;
}

export const FIXTURES_DIR = new URL('../fixtures/', import.meta.url).pathname;

/**
 * Sends interleaved PCM16 as a microphone client would: frames of `frameMs`, each sent once its audio has been
 * captured (frame k at (k + 1) x frameMs, divided by `speed`; Infinity: as fast as possible), then `silenceMs`
 * of digital silence.
 */
export async function streamPcm(
  send: (bytes: Uint8Array) => void,
  wav: Wav,
  options: { frameMs?: number; speed?: number; silenceMs?: number } = {},
): Promise<void> {
  const { frameMs = 20, speed = 1, silenceMs = 0 } = options;
  const frameSamples = Math.round((wav.sampleRateHz * frameMs) / 1000) * wav.channels;
  const silence = new Int16Array(Math.round((wav.sampleRateHz * silenceMs) / 1000) * wav.channels);
  const all = new Int16Array(wav.samples.length + silence.length);
  all.set(wav.samples);
  const started = performance.now();
  for (let offset = 0, frame = 0; offset < all.length; offset += frameSamples, frame++) {
    if (Number.isFinite(speed)) {
      // A microphone cannot deliver a frame before it has been spoken.
      const wait = started + ((frame + 1) * frameMs) / speed - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    send(toPcm16Bytes(all.subarray(offset, offset + frameSamples)));
  }
}
