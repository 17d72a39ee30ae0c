import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { ApiKeys } from './auth.ts';

const request = (fields: { authorization?: string; origin?: string; token?: string }) =>
  ({
    headers: { ...(fields.authorization && { authorization: fields.authorization }), ...(fields.origin && { origin: fields.origin }) },
    query: fields.token === undefined ? {} : { token: fields.token },
  }) as unknown as FastifyRequest;

const keyIdOf = (keys: ApiKeys, key: string) => keys.credentialOf(request({ authorization: `Bearer ${key}` }))?.keyId;

test('a client token is accepted until it expires, as its key', () => {
  mock.timers.enable({ apis: ['Date'], now: 1_700_000_000_000 });
  try {
    const keys = new ApiKeys(['key-a', 'key-b']);
    const keyA = keyIdOf(keys, 'key-a')!;
    const { token, expiresAt } = keys.mint(keyA, 60);
    assert.equal(expiresAt, 1_700_000_060);
    assert.deepEqual(keys.credentialOf(request({ token, origin: 'https://page.example' })), { keyId: keyA, kind: 'client_token' });
    mock.timers.tick(61_000);
    assert.equal(keys.credentialOf(request({ token })), undefined, 'expired');
  } finally {
    mock.timers.reset();
  }
});

test('a token altered, moved to another key, or of a removed key is refused; failures are reported', () => {
  const failures: FastifyRequest[] = [];
  const keys = new ApiKeys(['key-a', 'key-b'], (r) => failures.push(r));
  const keyA = keyIdOf(keys, 'key-a')!;
  const keyB = keyIdOf(keys, 'key-b')!;
  const { token } = keys.mint(keyA, 60);
  const [prefixAndKey, ...rest] = token.split('.');
  const tampered = [
    `${token.slice(0, -2)}xx`,
    [prefixAndKey!.replace(keyA, keyB), ...rest].join('.'),
    [prefixAndKey, String(Number(rest[0]) + 3600), ...rest.slice(1)].join('.'),
  ];
  for (const bad of tampered) assert.equal(keys.credentialOf(request({ token: bad })), undefined, bad);
  assert.equal(new ApiKeys(['key-b']).credentialOf(request({ token })), undefined, 'revoked with its key');
  assert.equal(failures.length, tampered.length);
});

test('a long-lived key in the URL is refused from a web page, accepted from other clients and in the header', () => {
  const keys = new ApiKeys(['key-a']);
  assert.equal(keys.credentialOf(request({ token: 'key-a', origin: 'https://page.example' })), undefined);
  assert.equal(keys.credentialOf(request({ token: 'key-a' }))?.kind, 'api_key');
  assert.equal(keys.credentialOf(request({ authorization: 'bearer key-a', origin: 'https://page.example' }))?.kind, 'api_key');
});
