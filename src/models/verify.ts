import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { CatalogFile } from './catalog.ts';

export type FileCheck =
  | { status: 'ok'; algorithm: 'sha256' | 'md5' | 'size' }
  | { status: 'missing' }
  | { status: 'size_mismatch'; expected: number; actual: number }
  | { status: 'hash_mismatch'; algorithm: 'sha256' | 'md5'; expected: string; actual: string };

/** The strongest published digest for a file: SHA-256, else md5, else none (size only). */
function digestOf(file: CatalogFile): { algorithm: 'sha256' | 'md5'; expected: string } | undefined {
  if (file.sha256) return { algorithm: 'sha256', expected: file.sha256 };
  if (file.md5) return { algorithm: 'md5', expected: file.md5 };
  return undefined;
}

async function hashFile(path: string, algorithm: 'sha256' | 'md5', signal: AbortSignal): Promise<string> {
  const hash = createHash(algorithm);
  // 1 MiB reads: the read-ahead buffer is the only memory this holds, whatever the file size.
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), hash, { signal });
  return hash.digest('hex');
}

/** Size first (cheap), then the digest: what `models verify` and the downloader both rely on. */
export async function checkFile(path: string, file: CatalogFile, signal: AbortSignal): Promise<FileCheck> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    throw err;
  }
  if (file.size !== null && size !== file.size) return { status: 'size_mismatch', expected: file.size, actual: size };
  const digest = digestOf(file);
  if (!digest) return { status: 'ok', algorithm: 'size' };
  const actual = await hashFile(path, digest.algorithm, signal);
  if (actual !== digest.expected) return { status: 'hash_mismatch', algorithm: digest.algorithm, expected: digest.expected, actual };
  return { status: 'ok', algorithm: digest.algorithm };
}
