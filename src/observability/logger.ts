import { pino, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';

/**
 * JSON lines for collectors; readable lines when a person watches the terminal. Pretty-printing runs in-process
 * (a stream, not a transport worker) so the last lines before an exit are never lost.
 */
export function createLogger(level: string, stdout: NodeJS.WriteStream = process.stdout): Logger {
  const options = { level, base: { service: 's2s-gateway' } };
  if (!stdout.isTTY) return pino(options, stdout);
  return pino(options, PinoPretty({ destination: stdout, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'service', sync: true }));
}
