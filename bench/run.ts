/**
 * Latency and capacity benchmark of the gateway (issue 6): `npm run bench -- --help`.
 *
 * The gateway runs in a process of its own with the real engines on the small test models (Silero, the
 * generated whisper.cpp model, the generated Piper voice); this process holds the OpenAI-compatible LLM
 * stand-in and the clients, all on loopback. Results: a table on stdout and JSON under bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { splitIntoTokens, startLlmServer } from '../test/support/llm-server.ts';
import { FIXTURES_DIR, readWav } from '../test/support/wav.ts';
import { rampCapacity, type CapacityResult } from './lib/capacity.ts';
import { FILE_SECONDS, measureFairness, type FairnessResult } from './lib/fairness.ts';
import { GatewayHandle } from './lib/gateway-handle.ts';
import { measureLlmBaseline } from './lib/llm-baseline.ts';
import { describeMachine } from './lib/machine.ts';
import { STRICT_DRAFT_FORMULA, STRICT_NOTE, modelFirstPhraseMs, TEXT_FORMULA, VOICE_FORMULA } from './lib/overhead.ts';
import { runPhase, type PhaseResult, type Scenario, type Workload } from './lib/phase.ts';
import { check, checkPhaseTargets, renderFormulas, renderPhase, renderTargets, TARGETS, type TargetCheck } from './lib/report.ts';
import { lastSpeechFrame } from './lib/speech-end.ts';
import { at24kHz } from './lib/realtime-session.ts';
import { cell } from './lib/table.ts';

const UTTERANCE_FILE = 'order-status-en-16k.wav';
const FRAME_MS = 20;
/** After the file's own tail: enough for the VAD's 500 ms window to close on silence the client sent. */
const TRAILING_SILENCE_MS = 800;
/** About two sentences, as a voice agent answers. */
const ANSWER = 'Your order shipped this morning and should reach you on Thursday. I can text you the tracking number if you like.';
const SCENARIOS: Scenario[] = ['voice', 'realtime', 'text', 'interrupt'];
/** Wall-clock budgets: past them no new turn starts; the hard limit ends the process whatever is running. */
const BUDGET_MS = { quick: 45_000, sessions: 15 * 60_000, capacity: 25 * 60_000, fairness: 15 * 60_000 };
const HARD_LIMIT_EXTRA_MS = 60_000;

interface Options {
  quick?: boolean;
  sessions?: number;
  turns?: number;
  capacity?: boolean;
  overload?: boolean;
  fairness?: boolean;
  ttftMs: number;
  tokensPerS: number;
  json?: string;
  knowledge?: boolean;
  knowledgeChunks: number;
}

const print = (text: string) => process.stdout.write(`${text}\n`);

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number from 1');
  return n;
};
const nonNegative = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('a number from 0');
  return n;
};

const options = new Command('bench')
  .description('Voice-to-voice, time to first audio, interrupt latency and gateway overhead under N concurrent sessions')
  .option('--quick', 'a short run (under a minute): 2 sessions, 2 turns each')
  .option('--sessions <n>', 'concurrent sessions per scenario (default 1, quick 2)', positiveInt)
  .option('--turns <n>', 'turns per session (default enough for about 30 samples, at least 3; quick 2)', positiveInt)
  .option('--capacity', 'ramp concurrent voice sessions until overhead p95 > 50 ms or event-loop lag p99 > 20 ms')
  .option('--overload', 'ramp text sessions past admission (up to --sessions, default 256): refused, failed after the LLM, p95 of admitted turns')
  .option('--fairness', `live voice-to-voice alone, then beside a ${60} s file transcribed again and again and a stream of speech requests`)
  .option('--ttft-ms <ms>', 'LLM stand-in: time to first token', nonNegative, 150)
  .option('--tokens-per-s <n>', 'LLM stand-in: tokens per second', nonNegative, 40)
  .option('--json <path>', 'write the result here (default: bench/results/<date>-<mode>.json)')
  .option('--knowledge', 'only knowledge retrieval latency on the embedded store (bench/knowledge.bench.ts)')
  .option('--knowledge-chunks <n>', 'corpus size for --knowledge', positiveInt, 10_000)
  .parse()
  .opts<Options>();

if (options.overload) {
  const { runOverload } = await import('./overload.ts');
  const { ttftMs, tokensPerS, json, sessions: maxSessions = 256, turns = 3 } = options;
  process.exit(await runOverload({ ttftMs, tokensPerS, json, maxSessions, turns }, print));
}

if (options.knowledge) {
  const { runKnowledgeBench, renderKnowledgeBench } = await import('./knowledge.bench.ts');
  const result = await runKnowledgeBench({ chunks: options.knowledgeChunks, dimensions: 1024, queries: 200 });
  const path = options.json ?? new URL(`./results/${new Date().toISOString().replace(/[:.]/g, '-')}-knowledge.json`, import.meta.url).pathname;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ benchmark: 'knowledge retrieval (npm run bench -- --knowledge)', machine: describeMachine(), ...result }, null, 2)}\n`);
  print(renderKnowledgeBench(result));
  print(`\nresult: ${path}`);
  process.exit(0);
}

const mode = options.capacity ? 'capacity' : options.fairness ? 'fairness' : options.quick ? 'quick' : 'sessions';
const sessions = options.sessions ?? (options.quick ? 2 : 1);
const turns = options.turns ?? (options.quick ? 2 : options.capacity ? 3 : Math.max(3, Math.ceil(30 / sessions)));
const startedAt = new Date();
const machine = describeMachine();
const stop = AbortSignal.timeout(BUDGET_MS[mode]);
setTimeout(() => {
  console.error(`bench: still running ${HARD_LIMIT_EXTRA_MS / 1000} s past its budget; stopping`);
  process.exit(2);
}, BUDGET_MS[mode] + HARD_LIMIT_EXTRA_MS).unref();

const wav = readWav(`${FIXTURES_DIR}${UTTERANCE_FILE}`);
const utterance = { wav, lastSpeechFrame: lastSpeechFrame(wav.samples, (wav.sampleRateHz * FRAME_MS) / 1000), trailingSilenceMs: TRAILING_SILENCE_MS };
const answerTokens = splitIntoTokens(ANSWER);

const llm = await startLlmServer({ script: { text: ANSWER, firstTokenMs: options.ttftMs, tokensPerSecond: options.tokensPerS } });
const llmBaseline = await measureLlmBaseline(llm.url, options.quick ? 5 : 20, stop);
const llmScheduleMs = modelFirstPhraseMs(answerTokens, options.ttftMs, options.tokensPerS);
const gateway = await GatewayHandle.start(llm.url, stop);
const work: Workload = { gateway, utterance, realtimeUtterance: await at24kHz(utterance), text: 'Where is my order?', rawLlmFirstPhraseMs: llmBaseline.p50 };

const phases: PhaseResult[] = [];
let capacity: CapacityResult | undefined;
let fairness: FairnessResult | undefined;
try {
  // The first turns of a fresh process pay for JIT and onnxruntime warm-up: run them, report nothing.
  await runPhase('voice', 1, 1, work, stop);
  await runPhase('realtime', 1, 1, work, stop);
  await runPhase('text', 1, 2, work, stop);
  if (options.fairness) {
    fairness = await measureFairness(work, wav, sessions, turns, stop);
    for (const phase of [fairness.alone, fairness.withBatch]) print(`\n${renderPhase(phase)}`);
  } else if (options.capacity) {
    capacity = await rampCapacity(work, turns, machine.cores, stop, (step) => print(`\n${renderPhase(step)}`));
  } else {
    for (const scenario of SCENARIOS) {
      const phase = await runPhase(scenario, sessions, turns, work, stop);
      phases.push(phase);
      print(`\n${renderPhase(phase)}`);
    }
  }
} finally {
  await gateway.close();
  await llm.close();
}

const targets: TargetCheck[] = phases.flatMap(checkPhaseTargets);
if (capacity) {
  targets.push(check('concurrent voice sessions per core', capacity.sessionsPerCore, TARGETS.voiceSessionsPerCore, 'at least'));
}
const result = {
  benchmark: 's2s-gateway latency and capacity (npm run bench)',
  startedAt: startedAt.toISOString(),
  durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
  outOfTime: stop.aborted,
  mode,
  command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
  machine,
  loadAverageAtEnd: loadavg().map((v) => Math.round(v * 100) / 100),
  workload: {
    sessions: options.capacity ? undefined : sessions,
    turnsPerSession: turns,
    utterance: { file: UTTERANCE_FILE, durationMs: (wav.samples.length / wav.sampleRateHz) * 1000, speechEndMs: (utterance.lastSpeechFrame + 1) * FRAME_MS, trailingSilenceMs: TRAILING_SILENCE_MS, frameMs: FRAME_MS },
    llm: { firstTokenMs: options.ttftMs, tokensPerSecond: options.tokensPerS, answer: ANSWER, answerTokens: answerTokens.length, scheduledFirstPhraseMs: llmScheduleMs, rawClientFirstPhraseMs: llmBaseline },
    minSilenceMs: gateway.minSilenceMs,
    speculativeAfterMs: gateway.speculativeAfterMs,
    engines: 'Silero VAD v5; generated whisper.cpp model (transcribes any audio as a fixed phrase; pool 1, 1 thread); generated Piper voice; gateway in its own process, UV_THREADPOOL_SIZE 8',
  },
  formulas: { text: TEXT_FORMULA, voice: VOICE_FORMULA, strict: STRICT_NOTE, strictDraft: STRICT_DRAFT_FORMULA, percentiles: 'nearest rank', loopLag: 'monitorEventLoopDelay (10 ms resolution) minus the resolution' },
  phases,
  capacity,
  fairness,
  targets,
};

const jsonPath = options.json ?? new URL(`./results/${startedAt.toISOString().replace(/[:.]/g, '-')}-${mode}${mode === 'sessions' ? `-${sessions}` : ''}.json`, import.meta.url).pathname;
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);

print(`\n${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}, load average at start ${machine.loadAverageAtStart.join(' ')}, commit ${machine.gitCommit.slice(0, 10)}${machine.gitDirty ? ' (dirty)' : ''}`);
print(`LLM stand-in: TTFT ${options.ttftMs} ms, ${options.tokensPerS} tokens/s; first phrase complete at ${cell(llmScheduleMs)} ms by its schedule, ${cell(llmBaseline.p50)} ms p50 / ${cell(llmBaseline.p95)} ms p95 through a raw streaming fetch`);
print(renderFormulas());
if (capacity) {
  print(`\ncapacity: ${capacity.maxSessions} concurrent voice sessions within the limits = ${cell(capacity.sessionsPerCore, 1)} per core; stopped: ${capacity.stoppedBecause}`);
}
if (fairness) {
  const { alone, withBatch, batch } = fairness;
  print(`\nfairness: live voice-to-voice p50 / p95 ${cell(alone.latencyMs.p50)} / ${cell(alone.latencyMs.p95)} ms alone, ${cell(withBatch.latencyMs.p50)} / ${cell(withBatch.latencyMs.p95)} ms beside batch work`);
  print(`  batch: ${batch.transcriptions.completed} transcriptions of a ${FILE_SECONDS} s file (p50 ${cell(batch.transcriptions.ms.p50)} ms, ${batch.transcriptions.failed} failed), ${batch.speech.completed} speech requests (p50 ${cell(batch.speech.ms.p50)} ms, ${batch.speech.failed} failed)`);
}
if (targets.length > 0) print(`\n${renderTargets(targets)}`);
if (stop.aborted) print('\nout of time: the run stopped early; the figures cover the turns that ran');
print(`\nresult: ${jsonPath}`);
