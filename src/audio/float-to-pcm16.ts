/** A model's float samples as PCM16; clipped to [-1, 1] first (a wrapped int16 would be a loud click), NaN as silence. */
export function floatToPcm16(samples: Float32Array): Int16Array<ArrayBuffer> {
  const pcm = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i] ?? 0;
    pcm[i] = Number.isNaN(sample) ? 0 : Math.round(Math.max(-1, Math.min(1, sample)) * 32767);
  }
  return pcm;
}
