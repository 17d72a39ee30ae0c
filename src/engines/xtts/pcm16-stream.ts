/**
 * Turns a byte stream of PCM16 little-endian audio into sample chunks, one per incoming piece. The network splits
 * the stream anywhere, so a sample can straddle two pieces: its first byte waits for the next piece. Output
 * chunks are fresh, aligned arrays (a network piece may start at an odd offset) in host byte order, which is
 * little-endian on every platform the gateway runs on.
 */
export async function* pcm16Chunks(bytes: AsyncIterable<Uint8Array>): AsyncGenerator<Int16Array> {
  let carriedByte: number | undefined;
  for await (const piece of bytes) {
    if (piece.length === 0) continue;
    const carried = carriedByte === undefined ? 0 : 1;
    const sampleCount = (carried + piece.length) >> 1;
    const used = sampleCount * 2 - carried;
    if (sampleCount > 0) {
      const samples = new Int16Array(sampleCount);
      const target = new Uint8Array(samples.buffer);
      if (carriedByte !== undefined) target[0] = carriedByte;
      target.set(piece.subarray(0, used), carried);
      carriedByte = undefined;
      yield samples;
    }
    if (used < piece.length) carriedByte = piece[piece.length - 1];
  }
  // A lone byte left at the end is half a sample from a stream cut short; it cannot be played.
}
