import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { envBindings } from '../src/config/load.ts';
import { ERROR_CODES } from '../src/core/errors.ts';
import { CLOSE_CODES } from '../src/transports/v1/close-codes.ts';
import { CLIENT_MESSAGE_TYPES, serverMessageSchema } from '../src/transports/v1/messages.ts';
import { CLIENT_EVENT_TYPES, UNSUPPORTED_EVENTS } from '../src/transports/realtime/messages.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test('the README lists every S2S_ variable the config accepts', () => {
  const missing = [...envBindings().keys()].filter((name) => !readme.includes(`\`${name}\``));
  assert.deepEqual(missing, []);
});

test('the README lists every error code, close code and message type', () => {
  const missing = [
    ...Object.keys(ERROR_CODES).map((code) => `\`${code}\``),
    ...Object.values(CLOSE_CODES).map((code) => `\`${code}\``),
    ...CLIENT_MESSAGE_TYPES.map((type) => `\`${type}\``),
    ...serverMessageSchema.options.map((o) => `\`${o.shape.type.value}\``),
  ].filter((needle) => !readme.includes(needle));
  assert.deepEqual(missing, []);
});

test('the README lists every Realtime client event, supported or not', () => {
  const missing = [...CLIENT_EVENT_TYPES, ...Object.keys(UNSUPPORTED_EVENTS)].map((type) => `\`${type}\``).filter((needle) => !readme.includes(needle));
  assert.deepEqual(missing, []);
});

test('the README marks exactly the retryable error codes', () => {
  for (const [code, { retryable, recoverable }] of Object.entries(ERROR_CODES)) {
    if (!recoverable) continue;
    assert.equal(readme.includes(`\`${code}\` (r)`), retryable, code);
  }
});
