/**
 * Where the speech in a recording ends, from its energy envelope: the end of the last frame whose RMS is within
 * `floorDb` of the loudest frame. A fixture's trailing room noise sits far below that; a word's fading tail
 * does not, so the end lands on the last audible syllable, which is what a listener calls "done speaking".
 */
export function lastSpeechFrame(samples: Int16Array, frameSamples: number, floorDb = -35): number {
  const frames = Math.ceil(samples.length / frameSamples);
  const rms: number[] = [];
  for (let f = 0; f < frames; f++) {
    const frame = samples.subarray(f * frameSamples, (f + 1) * frameSamples);
    let sum = 0;
    for (const s of frame) sum += s * s;
    rms.push(Math.sqrt(sum / Math.max(1, frame.length)));
  }
  const loudest = Math.max(0, ...rms);
  if (loudest === 0) return -1;
  const floor = loudest * 10 ** (floorDb / 20);
  return rms.findLastIndex((value) => value >= floor);
}
