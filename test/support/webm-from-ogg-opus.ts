/**
 * Remuxes an Ogg Opus file into WebM, as browsers' MediaRecorder writes it (an Opus track in SimpleBlocks), for
 * tests of WebM decoding: no WebM encoder is installed on the build machines. Written from the Ogg (RFC 3533) and
 * Matroska element specifications; the Opus packets are the encoder's own.
 */
export function webmFromOggOpus(ogg: Uint8Array): Uint8Array {
  const packets = oggPackets(ogg);
  const [head, , ...audio] = packets;
  if (head === undefined) throw new Error('no Opus header');
  const channels = head[9] ?? 1;
  const frameMs = 20;
  const blocks = audio.map((packet, i) => element(0xa3, concat([Uint8Array.of(0x81), int16(i * frameMs), Uint8Array.of(0x80), packet])));
  const track = element(0xae, concat([
    element(0xd7, Uint8Array.of(1)),
    element(0x83, Uint8Array.of(2)),
    element(0x86, ascii('A_OPUS')),
    element(0x63a2, head),
    element(0xe1, concat([element(0xb5, float64(48_000)), element(0x9f, Uint8Array.of(channels))])),
  ]));
  const header = element(0x1a45dfa3, concat([element(0x4286, Uint8Array.of(1)), element(0x4282, ascii('webm'))]));
  const cluster = element(0x1f43b675, concat([element(0xe7, Uint8Array.of(0)), ...blocks]));
  return concat([header, element(0x18538067, concat([element(0x1654ae6b, track), cluster]))]);
}

function oggPackets(ogg: Uint8Array): Uint8Array[] {
  const packets: Uint8Array[] = [];
  let pending: Uint8Array[] = [];
  for (let offset = 0; offset < ogg.length; ) {
    const segments = ogg[offset + 26]!;
    const table = ogg.subarray(offset + 27, offset + 27 + segments);
    let data = offset + 27 + segments;
    for (const size of table) {
      pending.push(ogg.subarray(data, data + size));
      data += size;
      if (size < 255) {
        packets.push(concat(pending));
        pending = [];
      }
    }
    offset = data;
  }
  return packets;
}

function element(id: number, data: Uint8Array): Uint8Array {
  const idBytes: number[] = [];
  for (let v = id; v > 0; v = Math.floor(v / 256)) idBytes.unshift(v & 0xff);
  // An 8-byte size: 0x01 then seven bytes of length.
  const size = new Uint8Array(8);
  size[0] = 0x01;
  let length = data.length;
  for (let i = 7; i >= 1; i--) {
    size[i] = length & 0xff;
    length = Math.floor(length / 256);
  }
  return concat([Uint8Array.from(idBytes), size, data]);
}

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const int16 = (value: number) => Uint8Array.of((value >> 8) & 0xff, value & 0xff);
function float64(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value);
  return bytes;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}
