import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestGateway, type TestGateway } from '../test/support/gateway.ts';
import { startLlmServer } from '../test/support/llm-server.ts';
import { startPrometheus, type QueryResult, type RunningPrometheus, type Sample } from '../test/support/prometheus.ts';
import { FIXTURES_DIR, readWav, streamPcm } from '../test/support/wav.ts';
import { TestClient } from '../test/support/ws-client.ts';
import { allQueries } from './queries.ts';

const ANSWER = 'Your order ships today. It arrives on Monday morning.';
const LONG_ANSWER = Array.from({ length: 40 }, (_, i) => `Sentence number ${i + 1} is here.`).join(' ');
const MAX_TEXT_CHARS = 200;
const MIC_16K = { sample_rate: 16_000, format: 'pcm16', channels: 1 };
const orderStatus = readWav(`${FIXTURES_DIR}order-status-en-16k.wav`);
/** Turns the script below makes: two typed, one spoken, one interrupted. */
const TURNS = 4;
const SELECTOR = '{job="s2s-gateway"}';

/** The gateway's own exposition, in the plain format. */
async function scrapeGateway(gateway: TestGateway): Promise<string> {
  return (await fetch(`${gateway.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
}

/** The sum of the samples whose series starts with `series` (a name, or a name with its first labels). */
function sampleSum(exposition: string, series: string): number {
  return exposition
    .split('\n')
    .filter((line) => line.startsWith(series) && /^[\w:]+(\{[^}]*\})? /.test(line))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** The exposition once `turns` turns have ended: a turn records its metrics just after its response_end. */
async function afterTurns(gateway: TestGateway, turns: number, signal: AbortSignal): Promise<string> {
  for (;;) {
    const exposition = await scrapeGateway(gateway);
    if (sampleSum(exposition, 's2s_turns_total{') >= turns) return exposition;
    await sleep(20, undefined, { signal });
  }
}

interface VoiceTurnMetrics {
  timings: Record<string, number>;
  /** What the voice turn added to these histograms' sums, in seconds. */
  added: { voiceToVoice: number; timeToFirstAudio: number; agent: number };
}

/**
 * What an operator watching the dashboards would see during a short session: typed turns, a playback report, a
 * push-to-talk turn, an interrupted answer and a refused input. Leaves the voice client connected, so a session is
 * active while the dashboards are read.
 */
async function makeTurns(gateway: TestGateway, signal: AbortSignal): Promise<{ speaking: TestClient; voiceTurn: VoiceTurnMetrics }> {
  const typing = await TestClient.connect(gateway.wsUrl);
  await typing.start();
  for (const [i, text] of ['Where is my order?', 'When does it arrive?'].entries()) {
    typing.send({ type: 'text_input', text });
    await typing.next('response_end', { after: i });
  }
  const last = typing.messages('response_end').at(-1);
  typing.send({ type: 'playback', turn_id: last?.turn_id, played_ms: 500 });

  const before = await afterTurns(gateway, 2, signal);
  const speaking = await TestClient.connect(gateway.wsUrl);
  await speaking.start({ audio: MIC_16K });
  await streamPcm((bytes) => speaking.sendAudio(bytes), orderStatus, { speed: Infinity });
  speaking.send({ type: 'audio_end' });
  const { timings } = await speaking.next('response_end');
  const after = await afterTurns(gateway, 3, signal);
  const added = (series: string) => sampleSum(after, series) - sampleSum(before, series);
  const voiceTurn = {
    timings,
    added: {
      voiceToVoice: added('s2s_voice_to_voice_seconds_sum'),
      timeToFirstAudio: added('s2s_time_to_first_audio_seconds_sum'),
      agent: added('s2s_stage_duration_seconds_sum{stage="agent"}'),
    },
  };

  typing.send({ type: 'text_input', text: 'Tell me a long story' });
  await typing.next('tts_start');
  while (typing.audioBytes() === 0) await sleep(5);
  typing.send({ type: 'interrupt' });
  assert.equal((await typing.next('response_end', { after: 2 })).interrupted, true);
  typing.send({ type: 'text_input', text: 'x'.repeat(MAX_TEXT_CHARS + 1) });
  assert.equal((await typing.next('error')).code, 'text_too_long');
  await typing.close();
  assert.deepEqual([...typing.protocolErrors, ...speaking.protocolErrors], []);
  return { speaking, voiceTurn };
}

/** Polls until `expr` returns a series, i.e. Prometheus has scraped what the turns recorded. */
async function waitUntil(prometheus: RunningPrometheus, expr: string, signal: AbortSignal): Promise<void> {
  while ((await prometheus.query(expr, signal)).result.length === 0) await sleep(100, undefined, { signal });
}

/** The values of an instant query's result: one per series of a vector, or the scalar. */
function valuesOf({ resultType, result }: QueryResult): number[] {
  if (resultType === 'scalar') return [Number((result as [number, string])[1])];
  return (result as Sample[]).map((sample) => Number(sample.value?.[1]));
}

/** A panel draws nothing for no series, and nothing for series that are all NaN (a quantile of no observations). */
const showsNothing = (result: QueryResult) => valuesOf(result).every((value) => Number.isNaN(value));

test('every dashboard panel and rule shows data after real turns against a real gateway scraped by Prometheus', async (t) => {
  const signal = AbortSignal.timeout(90_000);
  // Hooks run in the order they are added: the servers close after Prometheus stops scraping them.
  const llm = await startLlmServer({
    script: (request) => {
      const last = request.body.messages?.at(-1)?.content;
      return typeof last === 'string' && last.includes('story') ? { text: LONG_ANSWER, tokensPerSecond: 40 } : { text: ANSWER };
    },
  });
  const gateway = await startTestGateway({ llm: { baseUrl: llm.url }, limits: { maxTextChars: MAX_TEXT_CHARS } }).catch(async (err: unknown) => {
    await llm.close();
    throw err;
  });
  const prometheus = await startPrometheus({ scrapeTarget: new URL(gateway.url).host, signal }).catch(async (err: unknown) => {
    await gateway.close();
    await llm.close();
    throw err;
  });
  t.after(async () => {
    await prometheus.close();
    await gateway.close();
    await llm.close();
  });

  // A scrape before the turns, so every counter's increase falls inside the rate windows.
  await waitUntil(prometheus, `up${SELECTOR} == 1`, signal);
  const { speaking, voiceTurn } = await makeTurns(gateway, signal);
  t.after(() => speaking.close());
  await waitUntil(prometheus, `sum(s2s_turns_total${SELECTOR}) >= ${TURNS}`, signal);
  await waitUntil(prometheus, `s2s_errors_total{job="s2s-gateway",code="text_too_long"}`, signal);
  // Two scrapes of the last values make a rate, and the error-ratio rule reads what the recording rules wrote.
  await prometheus.waitForSamples('s2s_errors_total', { scrapes: 2, signal });
  await prometheus.waitForSamples('job:s2s_error_ratio:rate5m', { scrapes: 2, signal });

  const failed: string[] = [];
  const empty: string[] = [];
  const queries = allQueries();
  for (const { source, kind, expr } of queries) {
    try {
      if (showsNothing(await prometheus.query(expr, signal))) empty.push(`${kind} ${source}: ${expr}`);
    } catch (err) {
      failed.push(`${source}: ${(err as Error).message}`);
    }
  }
  t.diagnostic(`${queries.length} queries; empty: ${empty.length === 0 ? 'none' : empty.join('; ')}`);
  assert.deepEqual(failed, []);
  // A healthy run may fire no alert; everything else an operator looks at must show something.
  assert.deepEqual(empty.filter((entry) => !entry.startsWith('alert ')), []);

  await t.test(
    'the first error of a kind moves the error panels and rules',
    async () => {
      const errorViews = queries.filter(({ source }) => /Errors per second|Error ratio|s2s_error/.test(source));
      assert.ok(errorViews.length >= 4);
      for (const { source, expr } of errorViews) {
        const values = valuesOf(await prometheus.query(expr, signal));
        assert.ok(values.some((v) => v > 0), `${source} shows the text_too_long error: ${values.join(', ')}`);
      }
    },
  );

  const value = async (expr: string) => valuesOf(await prometheus.query(expr, signal))[0];
  assert.equal(await value(`sum(s2s_active_sessions${SELECTOR})`), 1, 'the voice session is still open');
  assert.equal(await value(`sum(s2s_turns_total{job="s2s-gateway",outcome="interrupted"})`), 1);
  assert.equal(await value(`sum(s2s_interruptions_total{job="s2s-gateway",kind="client"})`), 1);
  assert.equal(await value(`sum(s2s_errors_total{job="s2s-gateway",stage="session",code="text_too_long"})`), 1);
  assert.equal(await value(`s2s_voice_to_voice_seconds_count${SELECTOR}`), 1, 'one spoken turn');

  // Voice-to-voice counts from the end of the user's speech; the time to first audio and the agent stage count
  // from the start of the response, after VAD and ASR, so they are shorter than the same moments on that clock.
  const { timings, added } = voiceTurn;
  const detail = JSON.stringify({ added, timings });
  assert.equal(Math.round(added.voiceToVoice * 10_000) / 10, timings.voice_to_voice_ms, detail);
  assert.ok(added.timeToFirstAudio * 1000 < (timings.first_audio_ms ?? 0), detail);
  assert.ok(added.agent * 1000 < (timings.llm_total_ms ?? 0), detail);
});
