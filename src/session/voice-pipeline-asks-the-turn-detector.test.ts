import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Transcriber } from '../contracts/asr.ts';
import type { AssessOptions, Completeness, TurnDetector } from '../contracts/turns.ts';
import { GatewayMetrics } from '../observability/metrics.ts';
import { feed, PIPELINE_SETTINGS, settle, silence, startPipeline, tone } from '../../test/support/voice-pipeline-fakes.ts';

/** Base window 200 ms; 100 ms after a finished-looking transcript, 1 s after a hesitant one. */
const settings = { ...PIPELINE_SETTINGS, partialIntervalMs: 0, adaptiveSilence: { completeSilenceMs: 100, hesitantSilenceMs: 1_000 } };

/** Every partial transcript says `text`. */
function saying(text: string): Transcriber {
  return {
    transcribe: async () => ({ text, engineMs: 0 }),
    transcribePartial: async () => ({ text, engineMs: 0 }),
    close: async () => undefined,
  };
}

/** A detector answering `judge(transcript)`, recording what it was asked. */
function detector(judge: (transcript: string) => Promise<Completeness>) {
  const asked: (Pick<AssessOptions, 'lang' | 'context'> & { transcript: string })[] = [];
  const turnDetector: TurnDetector = {
    assess: (transcript: string, { lang, context }: AssessOptions) => {
      asked.push({ transcript, lang, context });
      return judge(transcript);
    },
    close: async () => undefined,
  };
  return { turnDetector, asked };
}

/** Speech, a pause for the partial's judgement, then 300 ms of silence: longer than complete, shorter than hesitant. */
async function speakThenPause(options: Parameters<typeof startPipeline>[0]) {
  const pipeline = await startPipeline({ settings, ...options });
  await feed(pipeline.input, tone(600));
  await settle();
  await feed(pipeline.input, silence(300));
  await settle();
  return pipeline;
}

const finals = (events: { type: string }[]) => events.filter((e) => e.type === 'transcript_final').length;

test("the detector's judgement of the partial transcript sets the silence needed; it hears the session's language and last turns", async () => {
  const complete = detector(async () => 'complete');
  const recentTurns = [{ role: 'assistant' as const, text: 'Anything else?' }];
  const done = await speakThenPause({ transcriber: saying('Where is my order?'), turnDetector: complete.turnDetector, recentTurns });
  assert.equal(finals(done.events), 1, 'complete: 300 ms of silence is past the 100 ms window');
  assert.deepEqual(complete.asked[0], { transcript: 'Where is my order?', lang: 'en', context: recentTurns });
  done.input.close();

  // The same words judged hesitant (a model may know better than punctuation) wait past the base window.
  const hesitant = detector(async () => 'hesitant');
  const waiting = await speakThenPause({ transcriber: saying('Where is my order?'), turnDetector: hesitant.turnDetector });
  assert.equal(finals(waiting.events), 0, 'hesitant: 300 ms of silence is short of the 1 s window');
  waiting.input.close();
});

/** How many judgements the metrics counted with these labels. */
async function judged(metrics: GatewayMetrics, verdict: string, judgedBy: string): Promise<number> {
  const { body } = await metrics.render(undefined);
  const line = body.split('\n').find((l) => l.startsWith(`s2s_turn_judgements_total{verdict="${verdict}",judged_by="${judgedBy}"}`));
  return Number(line?.split(' ').at(-1));
}

test('a detector that fails, or is still loading, leaves the judgement to the text rules, and the fallback is counted', async () => {
  const failing = detector(() => Promise.reject(new Error('the model crashed')));
  const metrics = GatewayMetrics.create();
  const pipeline = await speakThenPause({ transcriber: saying('I wanted to ask about my order and um'), turnDetector: failing.turnDetector, metrics });
  assert.ok(failing.asked.length > 0);
  assert.equal(finals(pipeline.events), 0, 'the rules call a trailing "and um" hesitant');
  assert.ok((await judged(metrics, 'hesitant', 'fallback')) > 0);
  assert.equal(await judged(metrics, 'hesitant', 'detector'), 0);
  pipeline.input.close();
});

test("a session's semantic endpointing asks the detector even when the gateway's adaptive endpointing is off; eagerness bounds the wait", async () => {
  const gatewayOff = { ...PIPELINE_SETTINGS, partialIntervalMs: 0 };
  const semantic = (eagerness: 'low' | 'high') => ({ endpointing: 'vad' as const, autoRespond: true, bargeIn: true, semantic: { eagerness } });

  const complete = detector(async () => 'complete');
  const quick = await speakThenPause({ settings: gatewayOff, transcriber: saying('Where is my order?'), turnDetector: complete.turnDetector, turnTaking: semantic('high') });
  assert.equal(finals(quick.events), 1, 'complete: the 100 ms window (turns.completeSilenceMs) is past');
  quick.input.close();

  const hesitant = detector(async () => 'hesitant');
  const patient = await speakThenPause({ settings: gatewayOff, transcriber: saying('Where is my order'), turnDetector: hesitant.turnDetector, turnTaking: semantic('high') });
  assert.equal(finals(patient.events), 0, 'hesitant: high eagerness still waits up to 2 s');
  patient.input.close();

  const none = detector(async () => 'complete');
  const fixed = await speakThenPause({ settings: gatewayOff, transcriber: saying('Where is my order?'), turnDetector: none.turnDetector });
  assert.equal(none.asked.length, 0, 'without semantic endpointing nothing is judged');
  fixed.input.close();
});
