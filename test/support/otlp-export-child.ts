/**
 * Child process of src/observability/otlp-export-reaches-collector.test.ts, run under the bootstrap: makes the spans of one turn through
 * the tracing API, prints whether they were recorded, then exits by itself or, with `--wait`, waits for a signal.
 * With `--own-handler` it handles SIGTERM like server.ts: one more span while "draining", then shutdownTelemetry().
 */
import { setImmediate as nextTurnOfLoop } from 'node:timers/promises';
import { shutdownTelemetry } from '../../src/observability/telemetry.ts';
import { ATTR, SPAN, extractParentFromHeaders, startChildSpan, startLlmSpan } from '../../src/observability/tracing.ts';

const parent = extractParentFromHeaders({ traceparent: process.env.FIXTURE_TRACEPARENT });
const session = startChildSpan(parent, SPAN.session, { [ATTR.sessionId]: 'session-1' });
const recording = session.span.isRecording();
const turn = startChildSpan(session.context, SPAN.turn, { [ATTR.turnId]: 'turn-1' });
const asr = startChildSpan(turn.context, SPAN.asrTranscribe, { [ATTR.lang]: 'en' });
await nextTurnOfLoop();
asr.span.end();
const agent = startChildSpan(turn.context, SPAN.agent);
const llm = startLlmSpan(agent.context, { model: 'test-model', providerName: 'openai' });
llm.span.end();
agent.span.end();
turn.span.end();
session.span.end();

process.stdout.write(`${JSON.stringify({ recording })}\n`);
if (process.argv.includes('--own-handler')) {
  process.once('SIGTERM', async () => {
    await nextTurnOfLoop();
    startChildSpan(session.context, SPAN.playback).span.end();
    await shutdownTelemetry(AbortSignal.timeout(5_000));
    process.exit(0);
  });
}
if (process.argv.includes('--wait')) setInterval(() => undefined, 60_000);
