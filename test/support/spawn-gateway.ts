import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { GatewayOverrides } from './gateway.ts';

export interface ChildGateway {
  url: string;
  wsUrl: string;
  child: ChildProcess;
  /** Everything the child wrote to stderr (its logs with S2S_TEST_LOG, and any crash). */
  stderr(): string;
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
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => line as string),
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
