import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { GatewayOverrides } from './gateway.ts';

const SCRIPT = new URL('./gateway-process.ts', import.meta.url).pathname;

export interface GatewayProcess {
  wsUrl: string;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a test gateway in its own process and waits until it has loaded (up to `timeoutMs`: loading the models
 * takes a while on a busy machine). A process that is not ready in time is killed, so it cannot hold the test open.
 */
export async function spawnGateway(overrides: GatewayOverrides, timeoutMs = 300_000): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [SCRIPT, JSON.stringify(overrides)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<{ url: string; wsUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway process not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as { url: string; wsUrl: string });
    });
    child.once('exit', (code) => reject(new Error(`gateway process exited with ${code} before it was ready`)));
  });
  const { url, wsUrl } = await ready;
  return {
    url,
    wsUrl,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
