/**
 * A gateway as operators run it: `src/server.ts` in a process of its own, configured through `S2S_*` variables,
 * with the generated test models. For what only a real process shows: signals, exit codes, two replicas.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { V1_PATH } from '../../src/transports/v1/route.ts';
import { testVoicePath, TEST_TRANSCRIPT } from './gateway.ts';
import { writeTinyWhisperModel } from './whisper-model.ts';

const SERVER = new URL('../../src/server.ts', import.meta.url).pathname;

export interface GatewayProcess {
  url: string;
  wsUrl: string;
  child: ChildProcess;
  /** Every log line, parsed. */
  logs: Record<string, unknown>[];
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let asrModel: Promise<string> | undefined;

/** Starts a gateway process with `env` over the test defaults; resolves once its dependencies have loaded. */
export async function spawnGateway(env: Record<string, string>, startTimeoutMs = 120_000): Promise<GatewayProcess> {
  asrModel ??= writeTinyWhisperModel({ dir: mkdtempSync(join(tmpdir(), 's2s-asr-')), phrase: TEST_TRANSCRIPT });
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('S2S_')));
  const child = spawn(process.execPath, [SERVER], {
    env: {
      ...inherited,
      S2S_HOST: '127.0.0.1',
      S2S_PORT: '0',
      S2S_LOG_LEVEL: 'info',
      S2S_MODELS_AUTO_FETCH: 'false',
      S2S_MODELS_DIR: mkdtempSync(join(tmpdir(), 's2s-models-')),
      S2S_ASR_MODEL: await asrModel,
      S2S_ASR_POOL_SIZE: '1',
      S2S_ASR_THREADS: '1',
      S2S_TTS_VOICE: await testVoicePath(),
      S2S_TTS_VOICES_BY_LANG: '{}',
      S2S_TTS_PHONEMIZER_WORKERS: '1',
      S2S_AGENT_WARM_UP: 'false',
      // Test machines are shared and noisy: their event-loop lag would shed the tests' sessions.
      S2S_ADMISSION_MAX_EVENT_LOOP_LAG_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const started = new Promise<string>((resolve, reject) => {
    let url: string | undefined;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.msg === 'gateway listening') url = String(entry.url);
      if (entry.msg === 'dependencies loaded' && url) resolve(url);
    });
    void exited.then(({ code }) => reject(new Error(`the gateway exited (${code}) before it was ready: ${stderr.join('')}`)));
    setTimeout(() => reject(new Error(`the gateway was not ready within ${startTimeoutMs} ms: ${stderr.join('')}`)), startTimeoutMs).unref();
  });
  const url = await started.catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  return { url, wsUrl: `${url.replace(/^http/, 'ws')}${V1_PATH}`, child, logs, exited };
}
