/** What a command-line tool of the gateway (`npm run models`, `npm run knowledge`) reads and writes: tests pass their own. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

/**
 * Runs a command-line program on the process's arguments: Ctrl-C aborts its signal with `interrupted` (the
 * program says what is kept), and a failure is one `error:` line and exit status 1, never a stack.
 */
export async function runCli(build: (io: CliIo) => { parseAsync(argv: string[]): Promise<unknown> }, interrupted: string): Promise<void> {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort(new Error(interrupted)));
  const program = build({ stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal });
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
