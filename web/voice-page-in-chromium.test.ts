import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium, type Chromium } from '../test/support/chromium.ts';
import { TEST_TRANSCRIPT, useGatewayWithLlm } from '../test/support/gateway.ts';
import type { RecordedRequest } from '../test/support/llm-server.ts';
import { FIXTURES_DIR, readWav } from '../test/support/wav.ts';
import { until } from '../test/support/until.ts';
import { TestClient } from '../test/support/ws-client.ts';

const SHORT_ANSWER = 'Your order ships today. It should arrive on Friday.';
// Thirty identical sentences: the share of the text said and the share of the audio played grow together.
const LONG_ANSWER = Array.from({ length: 30 }, () => 'This is one more sentence of the story.').join(' ');

/**
 * The fixture `times` times, each followed by `gapS` of silence, so the VAD ends each turn (Chromium plays the
 * file once: %noloop).
 */
function microphone(times = 1, gapS = 2) {
  const speech = readWav(join(FIXTURES_DIR, 'order-status-en-16k.wav'));
  const gap = speech.sampleRateHz * speech.channels * gapS;
  const samples = new Int16Array((speech.samples.length + gap) * times);
  for (let i = 0; i < times; i++) samples.set(speech.samples, i * (speech.samples.length + gap));
  return { ...speech, samples };
}

/** How long the whole long answer sounds, from a session of its own. */
async function fullAnswerMs(wsUrl: string): Promise<number> {
  const client = await TestClient.connect(wsUrl);
  const { audio_out } = await client.start();
  client.send({ type: 'text_input', text: 'Tell me a long story' });
  await client.next('response_end');
  await client.close();
  return (client.audioBytes() / 2 / audio_out.sample_rate) * 1000;
}

/**
 * The LLM request after a cut answer remembers only the share of it that was played (and a word of slack), less
 * than the share that was sent.
 */
function assertRemembersOnlyPlayed(request: RecordedRequest | undefined, question: string, played: { playedMs: number; sentMs: number; fullMs: number }) {
  const messages = (request?.body.messages ?? []).filter((m) => m.role !== 'system');
  const index = messages.findIndex((m) => m.content === question);
  const heard = String(messages[index + 1]?.content);
  assert.equal(messages[index + 1]?.role, 'assistant', JSON.stringify(messages));
  assert.ok(heard.length > 0 && LONG_ANSWER.startsWith(heard.trim()), heard);
  const share = (ms: number) => Math.round((LONG_ANSWER.length * ms) / played.fullMs);
  const summary = `${heard.length} chars kept; played ${played.playedMs} ms = ${share(played.playedMs)} chars, sent ${Math.round(played.sentMs)} ms = ${share(played.sentMs)} chars, whole answer ${Math.round(played.fullMs)} ms = ${LONG_ANSWER.length} chars`;
  assert.ok(heard.length <= share(played.playedMs + 250), summary);
  return summary;
}

type PageGlobals = { s2s: { player?: { framesPlayed: number; context: AudioContext }; client?: { on(type: 'audio', fn: (c: { turnId: string; pcm: Int16Array; sampleRateHz: number }) => void): void } }; receivedMs: Record<string, number> };

/** Counts, in the page, the answer audio that reached the client, per turn. */
const countReceivedAudio = (page: Page) =>
  page.evaluate(() => {
    const globals = window as unknown as PageGlobals;
    globals.receivedMs = {};
    globals.s2s.client?.on('audio', ({ turnId, pcm, sampleRateHz }) => {
      globals.receivedMs[turnId] = (globals.receivedMs[turnId] ?? 0) + (pcm.length * 1000) / sampleRateHz;
    });
  });
const receivedMs = (page: Page, turnId: string) => page.evaluate((id) => (window as unknown as PageGlobals).receivedMs[id] ?? 0, turnId);

/** Opens the page at `url`, presses Start and waits for the session, counting the answer audio from then on. */
async function startTalking(page: Page, url: string) {
  await page.goto(url);
  await page.waitForSelector('#voice option', { state: 'attached' });
  await page.click('#start');
  await page.waitForSelector('#connection[data-state="open"]');
  await countReceivedAudio(page);
}

const framesPlayed = (page: Page) => page.evaluate(() => (window as unknown as PageGlobals).s2s.player?.framesPlayed ?? 0);

describe('the voice page in headless Chromium with a fake microphone', () => {
  // The first answer looks at the clock first: the page shows the agent's tool calls too.
  const env = useGatewayWithLlm((request) =>
    request.body.messages?.some((m) => m.role === 'tool') ? { text: SHORT_ANSWER } : { toolCalls: [{ name: 'current_time', arguments: '{}' }] },
  );
  let chromium: Chromium;
  let page: Page;
  const consoleErrors: string[] = [];

  before(async () => {
    chromium = await launchChromium({ microphone: microphone() });
    page = await chromium.context.newPage();
    await page.setViewportSize({ width: 960, height: 560 });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });
  after(() => chromium?.close());

  test('hands-free: the fixture is heard, the transcript and the answer appear, and the answer plays', async () => {
    await startTalking(page, `${env.gateway.url}/`);
    const turn = page.locator('.turn').first();
    await turn.locator('.user:not(.partial)').waitFor();
    assert.equal(await turn.locator('.user').textContent(), TEST_TRANSCRIPT);
    await page.waitForSelector('.turn[data-status="done"]');
    assert.equal(await turn.locator('.assistant').textContent(), SHORT_ANSWER);
    assert.equal(await turn.locator('.tool').textContent(), 'current_time');
    // The playback worklet played the answer to its end and said how long it was.
    await page.waitForSelector('.turn[data-played-ms]');
    const playedMs = Number(await turn.getAttribute('data-played-ms'));
    const sentMs = await receivedMs(page, String(await turn.getAttribute('data-turn-id')));
    assert.ok(sentMs > 200 && Math.abs(playedMs - sentMs) <= 3, `played ${playedMs} ms of ${sentMs} ms`);
    assert.ok((await framesPlayed(page)) > 0);
    assert.match(String(await turn.locator('.timings .summary').textContent()), /voice-to-voice \d+ ms · heard \d+\.\d s/);
    assert.ok((await turn.locator('.stage').count()) >= 3);
    // The README's picture: S2S_SCREENSHOT=docs/voice-page.png node --test web/voice-page-in-chromium.test.ts
    if (process.env.S2S_SCREENSHOT) await page.screenshot({ path: process.env.S2S_SCREENSHOT });
  });

  test('an interrupt mid-answer stops playback, and the next request remembers only what was played', async (t) => {
    await page.check('input[value="push-to-talk"]');
    env.llm.setScript({ text: LONG_ANSWER, tokensPerSecond: 40 });
    const fullMs = await fullAnswerMs(env.gateway.wsUrl);
    await page.fill('#text', 'Tell me a long story');
    await page.press('#text', 'Enter');
    const before = await framesPlayed(page);
    // About a second of the answer heard.
    const rate = await page.evaluate(() => (window as unknown as PageGlobals).s2s.player?.context.sampleRate ?? 0);
    await until('a second of playback', async () => (await framesPlayed(page)) - before > rate);
    await page.click('#interrupt');
    const turn = page.locator('.turn').nth(1);
    await page.waitForSelector('.turn:nth-child(2)[data-status="interrupted"][data-played-ms]');
    const stopped = await framesPlayed(page);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await framesPlayed(page), stopped, 'nothing plays after the interrupt');
    const playedMs = Number(await turn.getAttribute('data-played-ms'));
    const sentMs = await receivedMs(page, String(await turn.getAttribute('data-turn-id')));
    assert.ok(playedMs >= 1000, `played ${playedMs} ms`);
    // How far the gateway's audio runs ahead of playback depends on the machine's load; it is never behind.
    assert.ok(sentMs >= playedMs, `played ${playedMs} ms of the ${sentMs} ms received`);

    env.llm.setScript({ text: 'Fine.' });
    const next = env.llm.requests.length;
    await page.fill('#text', 'Go on');
    await page.press('#text', 'Enter');
    await page.waitForSelector('.turn:nth-child(3)[data-status="done"]');
    t.diagnostic(assertRemembersOnlyPlayed(env.llm.requests[next], 'Tell me a long story', { playedMs, sentMs, fullMs }));
  });

  test('a gateway restarting (close code 1012): the page says so, resumes the same session, and the conversation goes on', async () => {
    const sessionId = () => page.evaluate(() => (window as unknown as { s2s: { client?: { sessionId?: string } } }).s2s.client?.sessionId);
    const before = await sessionId();
    await page.evaluate(() => {
      const shown: string[] = ((window as unknown as { connectionTexts: string[] }).connectionTexts = []);
      const connection = document.querySelector('#connection')!;
      new MutationObserver(() => shown.push(connection.textContent ?? '')).observe(connection, { childList: true, characterData: true, subtree: true });
    });
    for (const socket of env.gateway.app.websocketServer.clients) socket.close(1012, 'the gateway is restarting');
    await until('the page to resume', async () => (await page.evaluate(() => (window as unknown as { connectionTexts: string[] }).connectionTexts)).at(-1) === 'connected');
    const shown = await page.evaluate(() => (window as unknown as { connectionTexts: string[] }).connectionTexts);
    assert.ok(shown.includes('the gateway is restarting: resuming the conversation…'), JSON.stringify(shown));
    assert.equal(await sessionId(), before);

    const next = env.llm.requests.length;
    await page.fill('#text', 'Still there?');
    await page.press('#text', 'Enter');
    await until('the next LLM request', () => env.llm.requests.length > next);
    const contents = (env.llm.requests[next]?.body.messages ?? []).map((m) => String(m.content));
    assert.ok(contents.includes('Tell me a long story'), JSON.stringify(contents));
  });

  test('errors are explained: the LLM down, the microphone refused, the socket closed with its code', async () => {
    const errorText = () => page.locator('#error').textContent();
    env.llm.setScript({ httpStatus: 500 });
    await page.fill('#text', 'Hello?');
    await page.press('#text', 'Enter');
    await page.waitForSelector('#error:not([hidden])');
    assert.match(String(await errorText()), /language model server cannot be reached.*\(llm_unavailable\)/);

    for (const socket of env.gateway.app.websocketServer.clients) socket.close(4001, 'session too long');
    await page.waitForSelector('#connection[data-state="closed"]');
    assert.match(String(await errorText()), /maximum length.*\(close code 4001: session too long\)/);

    const refused = await chromium.context.newPage();
    await refused.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    await refused.goto(`${env.gateway.url}/`);
    await refused.waitForSelector('#voice option', { state: 'attached' });
    await refused.click('#start');
    // Without a microphone the page still connects, for typed turns, and keeps saying why it does not listen.
    await refused.waitForSelector('#connection[data-state="open"]');
    await refused.waitForSelector('#error:not([hidden])');
    assert.match(String(await refused.locator('#error').textContent()), /microphone permission was refused/);
    await refused.close();
  });

  test('no errors on the console', () => {
    assert.deepEqual(consoleErrors, []);
  });
});

describe('barge-in on the voice page: speaking over the answer', () => {
  // The first question gets the long answer; the one spoken over it a short one.
  const env = useGatewayWithLlm((request) => (request.body.messages?.some((m) => m.role === 'assistant') ? { text: 'Fine.' } : { text: LONG_ANSWER, tokensPerSecond: 40 }));
  let chromium: Chromium;
  before(async () => {
    // The question, 3 s of silence (its answer starts playing), the question again over the answer.
    chromium = await launchChromium({ microphone: microphone(2, 3) });
  });
  after(() => chromium?.close());

  test('stops playback where the user started, and the next request remembers only what was played', async (t) => {
    const fullMs = await fullAnswerMs(env.gateway.wsUrl);
    const page = await chromium.context.newPage();
    const next = env.llm.requests.length;
    await startTalking(page, `${env.gateway.url}/`);
    const first = page.locator('.turn').first();
    await page.waitForSelector('.turn:nth-child(1)[data-status="interrupted"][data-played-ms]');
    await page.waitForSelector('.turn:nth-child(2)[data-status="done"]');
    assert.equal(await page.locator('.turn:nth-child(2) .user').textContent(), TEST_TRANSCRIPT);
    const playedMs = Number(await first.getAttribute('data-played-ms'));
    const sentMs = await receivedMs(page, String(await first.getAttribute('data-turn-id')));
    assert.ok(playedMs > 0 && playedMs < fullMs, `played ${playedMs} of ${fullMs} ms`);
    t.diagnostic(assertRemembersOnlyPlayed(env.llm.requests[next + 1], TEST_TRANSCRIPT, { playedMs, sentMs, fullMs }));
    await page.close();
  });
});

describe('the voice page on a gateway with API keys', () => {
  const env = useGatewayWithLlm({ text: 'Fine.' }, { server: { apiKeys: ['page-key'] } });
  let chromium: Chromium;
  before(async () => {
    chromium = await launchChromium({ microphone: microphone() });
  });
  after(() => chromium?.close());

  test('without ?token= it says how to give one; with a key it connects on a client token, the key out of the URL', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${env.gateway.url}/`);
    await page.waitForSelector('#error:not([hidden])');
    assert.match(String(await page.locator('#error').textContent()), /needs an API key: open this page as \/\?token=/);
    assert.equal(await page.locator('#start').isDisabled(), true);

    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await startTalking(page, `${env.gateway.url}/?token=page-key`);
    assert.ok(!page.url().includes('page-key'), `the key left the address bar: ${page.url()}`);
    assert.equal(sockets.length, 1);
    assert.ok(!sockets[0]!.includes('page-key') && new URL(sockets[0]!).searchParams.get('token')?.startsWith('s2st_'), 'the socket carries a client token, not the key');
    await page.close();
  });
});
