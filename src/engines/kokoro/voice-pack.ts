import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import AdmZip from 'adm-zip';
import { GatewayError } from '../../core/errors.ts';
import { MAX_TOKENS, STYLE_DIM } from './vocab.ts';

/**
 * Kokoro's voices: one style vector per input length (rows 0..509 of 256 floats), chosen by how many phoneme ids a
 * model run has. A pack is kokoro-onnx's `voices-v1.0.bin`, a NumPy `.npz` (a zip of `<voice>.npy` arrays, each
 * float32 [510, 1, 256]), or one of onnx-community's `voices/<voice>.bin` (the raw float32 [510, 256] of one voice,
 * named by its file).
 */
export type VoiceStyles = ReadonlyMap<string, Float32Array>;

const ROWS = MAX_TOKENS;
const FLOATS = ROWS * STYLE_DIM;

function openPack(path: string): AdmZip {
  try {
    return new AdmZip(path);
  } catch (err) {
    throw new GatewayError('model_not_ready', `Kokoro voice pack ${path} is not a NumPy .npz (zip) file: ${(err as Error).message}`, { cause: err });
  }
}

function voiceEntries(zip: AdmZip): AdmZip.IZipEntry[] {
  return zip.getEntries().filter((entry) => !entry.isDirectory && entry.entryName.endsWith('.npy'));
}

const voiceName = (entry: AdmZip.IZipEntry): string => entry.entryName.replace(/^.*\//, '').slice(0, -'.npy'.length);

/** A single voice's raw styles: exactly 510 x 256 float32, nothing else. */
function isRawVoice(path: string): boolean {
  try {
    return statSync(path).size === FLOATS * 4;
  } catch {
    return false;
  }
}

const rawVoiceName = (path: string): string => basename(path).replace(/\.[^.]*$/, '');

/** The voice names in a pack, in its order. */
export function listVoicePack(path: string): string[] {
  if (isRawVoice(path)) return [rawVoiceName(path)];
  const names = voiceEntries(openPack(path)).map(voiceName);
  if (names.length === 0) throw new GatewayError('model_not_ready', `Kokoro voice pack ${path} holds no .npy voice`);
  return names;
}

/** The styles of the named voices, each checked to be float32 [510, 1, 256] (or [510, 256]). */
export function readVoicePack(path: string, names: readonly string[]): Map<string, Float32Array> {
  if (isRawVoice(path)) {
    const unknown = names.filter((name) => name !== rawVoiceName(path));
    if (unknown.length > 0) throw new GatewayError('model_not_ready', `Kokoro voice file ${path} holds only the voice "${rawVoiceName(path)}", not "${unknown.join('", "')}"`);
    return new Map([[rawVoiceName(path), new Float32Array(new Uint8Array(readFileSync(path)).buffer)]]);
  }
  const byName = new Map(voiceEntries(openPack(path)).map((entry) => [voiceName(entry), entry]));
  const styles = new Map<string, Float32Array>();
  for (const name of names) {
    const entry = byName.get(name);
    if (entry === undefined) throw new GatewayError('model_not_ready', `Kokoro voice pack ${path} has no voice "${name}"`);
    try {
      styles.set(name, parseStyleNpy(entry.getData()));
    } catch (err) {
      throw new GatewayError('model_not_ready', `Kokoro voice pack ${path}, voice ${name}: ${(err as Error).message}`, { cause: err });
    }
  }
  return styles;
}

/**
 * A `.npy` holding one voice's styles. The format (numpy.lib.format): magic `\x93NUMPY`, version, header length
 * (2 bytes in 1.0, 4 in 2.0 and 3.0), a Python dict literal with `descr`, `fortran_order` and `shape`, then the data.
 */
export function parseStyleNpy(bytes: Buffer): Float32Array {
  if (bytes.length < 10 || bytes.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error('not a .npy array');
  const major = bytes[6] ?? 0;
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = bytes.toString('latin1', headerStart, headerStart + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1]?.split(',').map((d) => d.trim()).filter((d) => d.length > 0).map(Number);
  if (descr !== '<f4') throw new Error(`styles must be little-endian float32 (<f4), not ${descr ?? 'unknown'}`);
  if (fortran !== 'False') throw new Error('styles must be in C order');
  const validShape = shape !== undefined && shape[0] === ROWS && shape.at(-1) === STYLE_DIM && shape.reduce((a, b) => a * b, 1) === FLOATS;
  if (!validShape) throw new Error(`styles must have the shape (${ROWS}, 1, ${STYLE_DIM}), not (${shape?.join(', ') ?? '?'})`);
  const dataStart = headerStart + headerLength;
  if (bytes.length - dataStart !== FLOATS * 4) throw new Error(`expected ${FLOATS * 4} bytes of styles, found ${bytes.length - dataStart}`);
  // Copied out: the data need not be 4-byte aligned in the zip's buffer.
  const copy = new Uint8Array(bytes.subarray(dataStart, dataStart + FLOATS * 4));
  return new Float32Array(copy.buffer);
}

/** The mean of several voices' styles, row by row: Kokoro's way of mixing voices. */
export function blendStyles(parts: readonly Float32Array[]): Float32Array {
  const blended = new Float32Array(FLOATS);
  for (const part of parts) for (let i = 0; i < FLOATS; i++) blended[i] = (blended[i] ?? 0) + (part[i] ?? 0) / parts.length;
  return blended;
}

/** The style row for a run of `tokenCount` phoneme ids (pads excluded), as kokoro-onnx and kokoro.js pick it. */
export function styleRow(styles: Float32Array, tokenCount: number): Float32Array {
  const row = Math.min(Math.max(tokenCount, 0), ROWS - 1);
  return styles.slice(row * STYLE_DIM, (row + 1) * STYLE_DIM);
}
