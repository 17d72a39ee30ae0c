import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { GatewayOverrides } from './gateway.ts';

export interface ChildGateway {
  url: string;
  wsUrl: string;
  child: ChildProcess;
  /** Everything the child wrote to stderr (a crash's stack). */
  stderr(): string;
  /** Its log lines so far (S2S_TEST_LOG sets the level), parsed. */
  logs(): Array<Record<string, unknown>>;
  /** The exit code once it has exited by itself, else undefined. */
  exitCode(): number | null;
  close(): Promise<void>;
}

const CHILD = new URL('./gateway-child.ts', import.meta.url).pathname;

/** Starts a real test gateway (see startTestGateway) in its own process and waits until it has loaded. */
export async function spawnGateway(overrides: GatewayOverrides, env: Record<string, string> = {}): Promise<ChildGateway> {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(overrides)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const logs: Array<Record<string, unknown>> = [];
  const listening = Promise.withResolvers<string>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('LISTENING ')) return listening.resolve(line.slice('LISTENING '.length));
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // Not a log line.
    }
  });
  const first = await Promise.race([
    listening.promise,
    once(child, 'exit').then(([code]) => {
      throw new Error(`the gateway child exited with ${String(code)} before it listened: ${stderr}`);
    }),
  ]);
  const { url, wsUrl } = JSON.parse(first) as { url: string; wsUrl: string };
  return {
    url,
    wsUrl,
    child,
    stderr: () => stderr,
    logs: () => logs,
    exitCode: () => child.exitCode,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      // A child whose loop is stuck never runs its SIGTERM handler.
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(forced);
    },
  };
}
