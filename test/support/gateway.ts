import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { pino } from 'pino';
import { configSchema, type Config } from '../../src/config/schema.ts';
import { startGateway, type Gateway } from '../../src/app/gateway.ts';
import { V1_PATH } from '../../src/transports/v1/route.ts';
import { startLlmServer, type LlmServer, type ScriptSource } from './llm-server.ts';
import { writeTestVoice, type TestVoiceOptions } from './piper-voice.ts';
import { writeTinyWhisperModel } from './whisper-model.ts';

export interface TestGateway extends Gateway {
  wsUrl: string;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? Partial<T[K]> : T[K] };

let voicePath: Promise<string> | undefined;
let mandarinVoicePath: Promise<string> | undefined;

/** The small generated Piper voice every gateway test speaks with (written once per test process). */
export function testVoicePath(): Promise<string> {
  voicePath ??= writeTestVoice(mkdtempSync(join(tmpdir(), 's2s-voice-'))).then((v) => v.onnxPath);
  return voicePath;
}

/** The Piper voice Chinese sessions get by default (`tts.voicesByLang.zh`), which a generated one stands in for. */
export const DEFAULT_MANDARIN_VOICE = 'zh_CN-huayan-medium';

/** The generated Mandarin voice's rate: unlike the English one's, so a test can tell which voice spoke. */
export const MANDARIN_TEST_RATE_HZ = 16_000;

/** A small generated Piper voice with Mandarin phonemes (espeak `cmn`), written once per test process. */
export function testMandarinVoicePath(): Promise<string> {
  const options = { language: 'cmn', sampleRateHz: MANDARIN_TEST_RATE_HZ } as const;
  mandarinVoicePath ??= writeTestVoice(mkdtempSync(join(tmpdir(), 's2s-voice-cmn-')), options).then((v) => v.onnxPath);
  return mandarinVoicePath;
}

/** What the generated whisper.cpp model hears in any audio, unless a test asks for another phrase. */
export const TEST_TRANSCRIPT = 'What is the status of my order?';

/**
 * A real gateway on an ephemeral loopback port with the real engines on small models: the generated Piper
 * voice, a generated whisper.cpp model that transcribes any audio as `asrPhrase`, Silero from its npm
 * package. Waits until everything has loaded.
 */
export type GatewayOverrides = DeepPartial<Config> & {
  asrModelPath?: string;
  asrPhrase?: string;
  /** A whisper model to copy mel filters and vocabulary from (the multilingual fixture for language detection). */
  asrTemplatePath?: string;
  /** Another generated voice than the shared single-speaker English one. */
  voice?: TestVoiceOptions;
};

export async function startTestGateway(overrides: GatewayOverrides = {}): Promise<TestGateway> {
  const { asrModelPath, asrPhrase = TEST_TRANSCRIPT, asrTemplatePath, voice: voiceOptions, ...configOverrides } = overrides;
  const asrDir = mkdtempSync(join(tmpdir(), 's2s-asr-'));
  const asr = asrModelPath ?? (await writeTinyWhisperModel({ dir: asrDir, phrase: asrPhrase, ...(asrTemplatePath && { templatePath: asrTemplatePath }) }));
  const voice = voiceOptions
    ? (await writeTestVoice(mkdtempSync(join(tmpdir(), 's2s-voice-')), voiceOptions)).onnxPath
    : await testVoicePath();
  const ttsOverrides = configOverrides.tts;
  const config = configSchema.parse({
    ...configOverrides,
    server: { host: '127.0.0.1', port: 0, logLevel: 'silent', ...configOverrides.server },
    // Piper (the default engine) speaks with the generated voice; another engine brings its own settings. One
    // phonemizer thread per voice: each costs about a second of espeak-ng start-up, paid by every test gateway.
    tts:
      ttsOverrides?.engine === undefined || ttsOverrides.engine === 'piper'
        ? { voice: 'test-voice', phonemizerWorkers: 1, ...ttsOverrides }
        : ttsOverrides,
    asr: { poolSize: 1, threads: 1, ...configOverrides.asr },
    // Tests count the LLM requests they cause; the start-up warm-up has its own test.
    agent: { warmUp: false, ...configOverrides.agent },
    // A test process shares its event loop with its clients and a busy machine: lag there says nothing of the gateway.
    admission: { maxEventLoopLagMs: 0, ...configOverrides.admission },
    // Not the repository's ./data/knowledge: documents a developer ingested would change what the agent is offered.
    knowledge: { dir: join(asrDir, 'knowledge'), ...configOverrides.knowledge },
  });
  const log = pino({ level: process.env.S2S_TEST_LOG ?? 'silent' });
  // Generated models stand in for the catalog's, under the names the config gives them.
  const files: Record<string, string> = { [config.asr.model]: asr, 'test-voice': voice, [DEFAULT_MANDARIN_VOICE]: await testMandarinVoicePath() };
  // Kokoro's generated model and voice pack are given by path: each file is what the config names.
  if (config.tts.engine === 'kokoro') for (const path of [config.tts.model, config.tts.voicePack]) files[path] = path;
  // So is a generated turn detector.
  if (config.turnDetector.engine === 'livekit') files[config.turnDetector.model] = config.turnDetector.model;
  const gateway = await startGateway(config, log, files);
  await gateway.loaded;
  return { ...gateway, wsUrl: `${gateway.url.replace(/^http/, 'ws')}${V1_PATH}` };
}

/**
 * For a suite: an LLM stand-in answering with `script` and a gateway talking to it, started before the suite's
 * tests and closed after them. Read `llm` and `gateway` inside tests. `overrides` may be a function, read when
 * the gateway starts (after the suite's earlier `before` hooks).
 */
export function useGatewayWithLlm(
  script: ScriptSource,
  overrides: GatewayOverrides | (() => GatewayOverrides) = {},
): { llm: LlmServer; gateway: TestGateway } {
  const env = {} as { llm: LlmServer; gateway: TestGateway };
  before(async () => {
    const options = typeof overrides === 'function' ? overrides() : overrides;
    env.llm = await startLlmServer({ script });
    env.gateway = await startTestGateway({ ...options, llm: { ...options.llm, baseUrl: env.llm.url } });
  });
  after(async () => {
    await env.gateway?.close();
    await env.llm?.close();
  });
  return env;
}
