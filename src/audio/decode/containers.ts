/** The audio containers an uploaded file may come in, as answered to a client that sent something else. */
export const ACCEPTED_AUDIO = ['wav', 'ogg (opus, vorbis)', 'webm (opus)', 'mp3', 'flac'] as const;

export type AudioContainer = 'wav' | 'ogg-opus' | 'ogg-vorbis' | 'webm' | 'mp3' | 'flac';

const ascii = (bytes: Uint8Array, start: number, length: number) => String.fromCharCode(...bytes.subarray(start, start + length));

/**
 * The container of a file, told by its first bytes (never by a file name or a client's content type, which lie
 * often enough); undefined for anything not accepted.
 */
export function sniffContainer(bytes: Uint8Array): AudioContainer | undefined {
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WAVE') return 'wav';
  if (ascii(bytes, 0, 4) === 'fLaC') return 'flac';
  if (ascii(bytes, 0, 4) === 'OggS') {
    // The first page holds the codec's identification header, 28 bytes in for a single-segment page.
    const head = ascii(bytes, 28, 8);
    if (head === 'OpusHead') return 'ogg-opus';
    if (head.slice(1, 7) === 'vorbis') return 'ogg-vorbis';
    return undefined;
  }
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return 'webm';
  if (ascii(bytes, 0, 3) === 'ID3') return 'mp3';
  // An MPEG audio frame header: 11 sync bits, then layer III (the only layer browsers and phones write).
  if (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe6) === 0xe2) return 'mp3';
  return undefined;
}
