import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/** What a request authenticated with: the API key's id (never the key), and whether a client token stood in for it. */
export interface Credential {
  keyId: string;
  kind: 'api_key' | 'client_token';
}

const TOKEN_PREFIX = 's2st_';
const digest = (key: string) => createHash('sha256').update(key).digest();
const sign = (key: string, body: string) => createHmac('sha256', key).update(body).digest('base64url');

/**
 * API keys and the short-lived client tokens minted with them. A client token is `s2st_<key id>.<expiry>.<nonce>.<mac>`,
 * signed with the key itself: every gateway with the same keys accepts it, and removing a key revokes its tokens.
 * Credentials come in `Authorization: Bearer` (any case of the scheme) or, for browsers (which cannot set headers on
 * a WebSocket), a `token` query parameter. A long-lived API key in the URL is refused when the request comes from
 * a web page (it has an Origin): a page uses a client token there, so the key never sits in its address or history.
 */
export class ApiKeys {
  /** Key id -> key; the id is a prefix of the key's SHA-256, which is what stores and logs see. */
  readonly #keys = new Map<string, string>();
  readonly #digests: Buffer[];
  readonly #seen = new WeakMap<FastifyRequest, Credential | undefined>();
  readonly #onFailure: (request: FastifyRequest) => void;

  /** `onFailure`: told of every request that offered a credential that is not valid. */
  constructor(apiKeys: readonly string[], onFailure: (request: FastifyRequest) => void = () => undefined) {
    this.#onFailure = onFailure;
    for (const key of apiKeys) this.#keys.set(digest(key).toString('hex').slice(0, 16), key);
    this.#digests = apiKeys.map(digest);
  }

  /** Whether the gateway asks for credentials at all (it does once any key is configured). */
  get enabled(): boolean {
    return this.#keys.size > 0;
  }

  /** The request's valid credential, or undefined. */
  credentialOf(request: FastifyRequest): Credential | undefined {
    if (this.#seen.has(request)) return this.#seen.get(request);
    const offered = offeredCredential(request);
    const credential = offered === undefined ? undefined : this.#check(offered, request);
    if (offered !== undefined && credential === undefined) this.#onFailure(request);
    this.#seen.set(request, credential);
    return credential;
  }

  /** A client token for `keyId` that expires in `ttlS` seconds. */
  mint(keyId: string, ttlS: number): { token: string; expiresAt: number } {
    const key = this.#keys.get(keyId);
    if (key === undefined) throw new Error('no such API key');
    const expiresAt = Math.floor(Date.now() / 1000) + ttlS;
    const body = `${keyId}.${expiresAt}.${randomBytes(12).toString('base64url')}`;
    return { token: `${TOKEN_PREFIX}${body}.${sign(key, body)}`, expiresAt };
  }

  #check(offered: { value: string; inUrl: boolean }, request: FastifyRequest): Credential | undefined {
    if (offered.value.startsWith(TOKEN_PREFIX)) return this.#tokenCredential(offered.value.slice(TOKEN_PREFIX.length));
    if (offered.inUrl && request.headers.origin !== undefined) return undefined;
    const hash = digest(offered.value);
    if (!this.#digests.some((accepted) => timingSafeEqual(accepted, hash))) return undefined;
    return { keyId: hash.toString('hex').slice(0, 16), kind: 'api_key' };
  }

  #tokenCredential(token: string): Credential | undefined {
    const [keyId, expiry, nonce, mac, ...rest] = token.split('.');
    if (keyId === undefined || expiry === undefined || nonce === undefined || mac === undefined || rest.length > 0) return undefined;
    const key = this.#keys.get(keyId);
    if (key === undefined || !(Number(expiry) > Date.now() / 1000)) return undefined;
    const expected = Buffer.from(sign(key, `${keyId}.${expiry}.${nonce}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return { keyId, kind: 'client_token' };
  }
}

/** The credential a request offers: the Bearer header's, else the `token` query parameter's. */
function offeredCredential(request: FastifyRequest): { value: string; inUrl: boolean } | undefined {
  const header = request.headers.authorization;
  if (header !== undefined && /^bearer /i.test(header)) {
    const value = header.slice(7).trim();
    return value === '' ? undefined : { value, inUrl: false };
  }
  const query = (request.query as { token?: unknown } | undefined)?.token;
  return typeof query === 'string' && query !== '' ? { value: query, inUrl: true } : undefined;
}
