import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionRecord } from './store.ts';

/** 144 random bits, URL-safe: a session id nobody guesses. Only the gateway makes them. */
export function newSessionId(): string {
  return randomBytes(18).toString('base64url');
}

const hashOf = (secret: string) => createHash('sha256').update(secret).digest('base64url');

/** A fresh resume secret for the client, and the hash the store keeps instead of it. */
export function newResumeSecret(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: hashOf(secret) };
}

/**
 * Whether a client may resume a stored session: it comes with the credential (API key) that created it, or with
 * the resume secret its last `started` gave. A session created without a credential needs the secret.
 */
export function mayResume(record: Pick<SessionRecord, 'owner' | 'secretHash'>, owner: string | undefined, secret: string | undefined): boolean {
  if (record.owner !== undefined && record.owner === owner) return true;
  if (secret === undefined || record.secretHash === undefined) return false;
  const offered = Buffer.from(hashOf(secret));
  const kept = Buffer.from(record.secretHash);
  return offered.length === kept.length && timingSafeEqual(offered, kept);
}

/** How logs name a session: enough to follow it, too little to resume it or guess it. */
export function sessionLogRef(id: string): string {
  return id.slice(0, 6);
}
