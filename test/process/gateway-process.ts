import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTestVoice } from '../support/piper-voice.ts';
import { EMPTY_TINY_MODEL } from '../support/whisper-model.ts';

export const REPO = new URL('../../', import.meta.url).pathname;

/**
 * The environment of a gateway process that can start here: a generated Piper voice (no per-language voices) and the empty whisper model as
 * explicit paths (never downloaded), no LLM warm-up, any free port, and the repository's Node 24 first on PATH
 * as `npm start` would have it.
 */
export async function gatewayEnv(overrides: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const english = await writeTestVoice(mkdtempSync(join(tmpdir(), 's2s-proc-voice-')));
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('S2S_') && !name.startsWith('OTEL_')));
  return {
    ...inherited,
    PATH: `${join(REPO, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
    S2S_PORT: '0',
    S2S_ASR_MODEL: EMPTY_TINY_MODEL,
    S2S_TTS_VOICE: english.onnxPath,
    S2S_TTS_VOICES_BY_LANG: '{}',
    S2S_AGENT_WARM_UP: 'false',
    S2S_MODELS_AUTO_FETCH: 'false',
    ...overrides,
  };
}

/** The start script exactly as package.json has it, for running under the system shell as npm does. */
export const startScript = (): string => (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;

export interface Finished {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Collects a child's output and resolves when it exits. */
export function finished(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (status, signal) => resolve({ status, signal, stdout, stderr })));
}

export function runGateway(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(join(REPO, 'node_modules/.bin/node'), [join(REPO, 'src/server.ts'), ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
}
