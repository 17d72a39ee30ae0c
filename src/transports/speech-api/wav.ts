/** Header of a PCM16 mono WAV. `dataBytes` unknown (a stream): the sizes say "to the end", as streaming servers do. */
export function wavHeader(sampleRateHz: number, dataBytes?: number): Buffer {
  const header = Buffer.alloc(44);
  const size = dataBytes ?? 0xffffffff - 36;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(Math.min(0xffffffff, size + 36), 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRateHz, 24);
  header.writeUInt32LE(sampleRateHz * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(size, 40);
  return header;
}

/** PCM16 samples as little-endian bytes. */
export function pcm16Bytes(samples: Int16Array): Buffer {
  const bytes = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) bytes.writeInt16LE(samples[i]!, i * 2);
  return bytes;
}

/** A whole WAV file of `chunks`. */
export function wavFile(sampleRateHz: number, chunks: readonly Int16Array[]): Buffer {
  const data = Buffer.concat(chunks.map(pcm16Bytes));
  return Buffer.concat([wavHeader(sampleRateHz, data.length), data]);
}
