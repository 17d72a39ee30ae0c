import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { envBindings } from '../src/config/load.ts';

const HERE = new URL('.', import.meta.url).pathname;
const SCRIPTS = ['voice.js', 'text.js'];
const ALL = [...SCRIPTS, 'lib/gateway.js', 'lib/messages.js', 'lib/wav.js'];
const source = (file: string) => readFileSync(join(HERE, file), 'utf8');

test('the scripts read only LOAD_ variables, none the gateway would take as its own (and refuse)', () => {
  const names = ALL.flatMap((file) => [...source(file).matchAll(/__ENV\.([A-Z0-9_]+)/g)].map((m) => m[1] ?? ''));
  assert.ok(names.length > 10);
  for (const name of names) assert.match(name, /^LOAD_/, name);
  assert.doesNotMatch(ALL.map(source).join('\n'), /__ENV\[/, 'no computed variable names that could escape this check');
  const readme = source('README.md');
  for (const name of new Set(names)) assert.ok(readme.includes(name), `loadtests/README.md documents ${name}`);
  assert.ok(!names.some((name) => envBindings().has(name)));
});

test('the API key travels in the Authorization header, never in the URL', () => {
  const gateway = source('lib/gateway.js');
  assert.match(gateway, /new WebSocket\(GATEWAY_URL, null, key \? \{ headers: \{ Authorization: `Bearer \$\{key\}` \} \} : null\)/);
  assert.doesNotMatch(ALL.map(source).join('\n'), /token=/);
});

test('every onmessage handler checks the frame first', () => {
  for (const file of SCRIPTS) {
    const handlers = [...source(file).matchAll(/ws\.onmessage = \(event\) => \{\n([^\n]*)\n([^\n]*)\n/g)];
    assert.ok(handlers.length > 0, file);
    for (const [, first, second] of handlers) {
      assert.match(first ?? '', /if \(event === undefined\) return;/);
      assert.match(second ?? '', /const message = checkFrame\(event\.data\);/, `${file}: a handler that does not check its frame`);
    }
  }
  assert.match(source('lib/gateway.js'), /export function checkFrame\(data\) \{[\s\S]*check\(data, \{[\s\S]*check\(message, \{/);
});

test('thresholds fail a run with failed checks or nothing measured', async () => {
  // Only the options are read: the scripts' k6 imports do not load under Node.
  for (const file of SCRIPTS) {
    const thresholds = /thresholds: \{([\s\S]*?)\n {2}\},/.exec(source(file))?.[1] ?? '';
    assert.match(thresholds, /checks: \['rate==1'\]/, file);
    assert.match(thresholds, /s2s_turns_completed: \['count>0'\]/, file);
  }
  assert.match(source('text.js'), /s2s_interrupts_measured: \['count>0'\]/);
  assert.match(source('text.js'), /interruptToLastAudio\.add\([^\n]*\n\s+interruptsMeasured\.add\(1\);/);
});

test("the default audio is the repository's own fixture", () => {
  const path = /open\(__ENV\.LOAD_WAV \|\| '([^']+)'/.exec(source('voice.js'))?.[1];
  assert.ok(path !== undefined);
  assert.ok(existsSync(join(HERE, path)), `${path} exists relative to loadtests/`);
});
