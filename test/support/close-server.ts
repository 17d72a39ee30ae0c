import type { Server } from 'node:http';

/** Closes a test server now: hung and streaming exchanges would otherwise keep close() waiting forever. */
export async function closeServerNow(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
