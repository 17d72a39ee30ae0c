import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { test } from 'node:test';
import { createLogger } from './logger.ts';

function captured(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & { isTTY: boolean };
  stream.isTTY = isTTY;
  let text = '';
  (stream as unknown as PassThrough).on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('piped to a collector, each line is one JSON object with the service name', async () => {
  const out = captured(false);
  createLogger('info', out.stream).info({ url: 'http://127.0.0.1:8080' }, 'gateway listening');
  await settle();
  const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
  assert.equal(line.msg, 'gateway listening');
  assert.equal(line.service, 's2s-gateway');
  assert.equal(line.url, 'http://127.0.0.1:8080');
});

test('on a terminal, lines are for reading: level word, message and fields, no JSON', async () => {
  const out = captured(true);
  createLogger('info', out.stream).info({ url: 'http://127.0.0.1:8080' }, 'gateway listening');
  await settle();
  // Colours are on for a terminal; compare the text under them.
  const text = stripVTControlCharacters(out.text());
  assert.match(text, /INFO/);
  assert.match(text, /gateway listening/);
  assert.match(text, /url: "http:\/\/127\.0\.0\.1:8080"/);
  assert.throws(() => JSON.parse(text));
});
