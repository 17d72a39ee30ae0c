/**
 * G.711 (ITU-T) μ-law and A-law, by the standard's formulas rather than tables: 8-bit companded samples to and
 * from PCM16. Telephony bridges speak these at 8 kHz.
 */

const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32_635;

export function ulawFromPcm16(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  const magnitude = Math.min(Math.abs(sample), ULAW_CLIP) + ULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

export function pcm16FromUlaw(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

export function alawFromPcm16(sample: number): number {
  // A-law works on 13-bit magnitudes; the sign bit is set for positive samples.
  const sign = sample >= 0 ? 0x80 : 0;
  const magnitude = Math.min(sample >= 0 ? sample : -sample - 1, 32_767) >> 3;
  let code: number;
  if (magnitude < 32) {
    code = magnitude >> 1;
  } else {
    let exponent = 1;
    while (magnitude >> (exponent + 5) > 0 && exponent < 7) exponent++;
    code = (exponent << 4) | ((magnitude >> exponent) & 0x0f);
  }
  return (sign | code) ^ 0x55;
}

export function pcm16FromAlaw(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

export type G711Law = 'pcmu' | 'pcma';

/** Companded bytes to PCM16 little-endian bytes. */
export function decodeG711(law: G711Law, bytes: Uint8Array): Uint8Array {
  const decode = law === 'pcmu' ? pcm16FromUlaw : pcm16FromAlaw;
  const pcm = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) pcm[i] = decode(bytes[i] as number);
  return new Uint8Array(pcm.buffer);
}

export function encodeG711(law: G711Law, pcm: Int16Array): Uint8Array {
  const encode = law === 'pcmu' ? ulawFromPcm16 : alawFromPcm16;
  const bytes = new Uint8Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) bytes[i] = encode(pcm[i] as number);
  return bytes;
}
