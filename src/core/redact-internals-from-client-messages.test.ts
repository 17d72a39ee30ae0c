import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactInternals } from './redact.ts';

test('addresses, URLs and paths are replaced; the words around them stay', () => {
  const cases: Array<[string, string]> = [
    ['connect ECONNREFUSED 10.0.3.7:5432', 'connect ECONNREFUSED <address>'],
    ['connect ECONNREFUSED ::1 [::1]:6379', 'connect ECONNREFUSED ::1 <address>'],
    ['getaddrinfo ENOTFOUND db.internal:5432', 'getaddrinfo ENOTFOUND <address>'],
    ['cannot reach http://llm.internal:8000/v1/chat', 'cannot reach <url>'],
    ['voice piper (/srv/models/en_US-amy.onnx) failed to load: cannot open /srv/models/x.onnx', 'voice piper (<path>) failed to load: cannot open <path>'],
    ['C:\\models\\voice.onnx is missing', '<path> is missing'],
    ['text input is 5000 characters; the limit is 4000', 'text input is 5000 characters; the limit is 4000'],
    ['the LLM server answered HTTP 503', 'the LLM server answered HTTP 503'],
  ];
  for (const [input, expected] of cases) assert.equal(redactInternals(input), expected, input);
});
