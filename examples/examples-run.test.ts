import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import wavefile from 'wavefile';
import { launchChromium, type Chromium } from '../test/support/chromium.ts';
import { startTestGateway, TEST_TRANSCRIPT, useGatewayWithLlm } from '../test/support/gateway.ts';
import { startLlmServer } from '../test/support/llm-server.ts';
import { FIXTURES_DIR, readWav } from '../test/support/wav.ts';
import { TestClient } from '../test/support/ws-client.ts';

const ANSWER = 'Your order ships today.';
const example = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const FIXTURE = join(FIXTURES_DIR, 'order-status-en-16k.wav');

describe('the examples the README points at', () => {
  const env = useGatewayWithLlm({ text: ANSWER });

  test('talk-from-a-wav-file.ts holds a spoken turn from a WAV file and writes the answer as a WAV', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 's2s-example-')), 'answer.wav');
    const { stdout } = await promisify(execFile)(process.execPath, [example('talk-from-a-wav-file.ts'), FIXTURE, '--url', env.gateway.wsUrl, '--out', out]);
    assert.match(stdout, new RegExp(`you: ${TEST_TRANSCRIPT.replace('?', '\\?')}\nassistant: ${ANSWER}\nvoice-to-voice \\d+(\\.\\d+)? ms; \\d+ ms of answer in `));
    const wav = new wavefile.WaveFile(readFileSync(out));
    assert.ok((wav.getSamples(false, Int16Array) as unknown as Int16Array).length > 1000);
  });

  describe('minimal.html in Chromium', () => {
    let chromium: Chromium;
    before(async () => {
      const speech = readWav(FIXTURE);
      const samples = new Int16Array(speech.samples.length + speech.sampleRateHz * 2);
      samples.set(speech.samples);
      chromium = await launchChromium({ microphone: { ...speech, samples } });
    });
    after(() => chromium?.close());

    test('talks: the transcript and the answer appear', async () => {
      const page = await chromium.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));
      await page.goto(`${env.gateway.url}/examples/minimal.html`);
      await page.click('#talk');
      await page.waitForFunction((answer) => document.getElementById('assistant')?.textContent === answer, ANSWER);
      assert.equal(await page.textContent('#you'), TEST_TRANSCRIPT);
      assert.deepEqual(errors, []);
    });
  });
});

test('agent-with-tool.ts, loaded as S2S_AGENT_MODULE, calls its own tool and answers from the result', async () => {
  const llm = await startLlmServer({
    script: (request) =>
      request.body.messages?.some((m) => m.role === 'tool')
        ? { text: 'It ships Friday.' }
        : { toolCalls: [{ name: 'order_status', arguments: '{"orderId":"A-1001"}' }] },
  });
  process.env.S2S_LLM_BASE_URL = llm.url;
  const gateway = await startTestGateway({ agent: { module: example('agent-with-tool.ts') } });
  try {
    const client = await TestClient.connect(gateway.wsUrl);
    await client.start();
    client.send({ type: 'text_input', text: 'Where is order A-1001?' });
    await client.next('response_end');
    await client.close();
    assert.deepEqual(client.messages('tool_call').map((m) => [m.name, m.args]), [['order_status', { orderId: 'A-1001' }]]);
    assert.equal(client.messages('llm_token').map((m) => m.token).join(''), 'It ships Friday.');
    const toolResult = llm.requests[1]?.body.messages?.find((m) => m.role === 'tool');
    assert.equal(toolResult?.content, 'Order A-1001 is shipped and arrives Friday.');
  } finally {
    delete process.env.S2S_LLM_BASE_URL;
    await gateway.close();
    await llm.close();
  }
});
