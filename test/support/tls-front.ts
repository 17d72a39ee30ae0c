/**
 * A TLS front for tests: the `openai` SDK's Realtime classes always dial `wss://`, so the gateway (plain HTTP in
 * tests) is put behind a TLS server with a self-signed certificate made by `openssl` at test time. Bytes pass
 * through unchanged after the handshake, as behind a TLS-terminating load balancer.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';

export interface TlsFront {
  /** `https://localhost:<port>`: an SDK's base URL, with `/v1` appended. */
  origin: string;
  /** The certificate to trust (it is its own CA). */
  ca: string;
  close(): Promise<void>;
}

let certificate: { key: string; cert: string } | undefined;

function selfSigned(): { key: string; cert: string } {
  if (certificate) return certificate;
  const dir = mkdtempSync(join(tmpdir(), 's2s-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    certificate = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
    return certificate;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Terminates TLS on an ephemeral port and forwards each connection to `target` (an http:// URL). */
export async function startTlsFront(target: string): Promise<TlsFront> {
  const { key, cert } = selfSigned();
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  const server = createServer({ key, cert }, (client: TLSSocket) => {
    const upstream = connect(Number(port), hostname);
    open.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const done = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `https://localhost:${(server.address() as AddressInfo).port}`,
    ca: cert,
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
