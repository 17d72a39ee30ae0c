import type { Config } from '../config/schema.ts';

/**
 * One line for an operator instead of a stack: what failed and which setting to change. Errors the gateway raised
 * itself already say that; system errors from listening are translated here.
 */
export function startUpFailureLine(err: unknown, config: Config | undefined): string {
  const error = err instanceof Error ? err : new Error(String(err));
  const code = (error as NodeJS.ErrnoException).code;
  const where = config ? `${config.server.host}:${config.server.port}` : 'the configured address';
  if (code === 'EADDRINUSE') {
    return `cannot listen on ${where}: the port is in use (another gateway?); stop that process or set S2S_PORT`;
  }
  if (code === 'EACCES') return `cannot listen on ${where}: permission denied (ports below 1024 need privileges); set S2S_PORT`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${where}: no such address on this machine; set S2S_HOST`;
  return error.message;
}
