import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const BOOTSTRAP = fileURLToPath(new URL('./otel.ts', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../test/support/otlp-export-child.ts', import.meta.url));
const CLIENT_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_TRACEPARENT = `00-${CLIENT_TRACE_ID}-00f067aa0ba902b7-01`;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A loopback stand-in for an OpenTelemetry collector's OTLP/HTTP receiver. */
async function startReceiver() {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      // An empty body is a valid ExportTraceServiceResponse in both encodings.
      const json = req.headers['content-type'] === 'application/json';
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : undefined);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => server.close() };
}

interface Run {
  stdout: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs the fixture under the bootstrap with only the given OTEL_* variables; `onReady` sees it after its spans. */
async function runFixture(otelEnv: Record<string, string>, args: string[] = [], onReady?: (pid: number) => void) {
  const env: NodeJS.ProcessEnv = { FIXTURE_TRACEPARENT: CLIENT_TRACEPARENT, ...otelEnv };
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('OTEL_')) env[key] ??= value;
  const child = spawn(process.execPath, ['--import', BOOTSTRAP, FIXTURE, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    stdout += text;
    if (stdout.includes('\n') && child.pid !== undefined) onReady?.(child.pid);
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { stdout, code, signal } satisfies Run;
}

interface OtlpJsonSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}

function spansOf(requests: Received[]) {
  const spans: OtlpJsonSpan[] = [];
  const serviceNames: unknown[] = [];
  for (const request of requests) {
    const payload = JSON.parse(request.body.toString('utf8')) as {
      resourceSpans: {
        resource: { attributes: { key: string; value: { stringValue?: string } }[] };
        scopeSpans: { spans: OtlpJsonSpan[] }[];
      }[];
    };
    for (const resourceSpans of payload.resourceSpans) {
      serviceNames.push(resourceSpans.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue);
      for (const scopeSpans of resourceSpans.scopeSpans) spans.push(...scopeSpans.spans);
    }
  }
  return { spans, serviceNames };
}

test('spans of a turn reach an OTLP/HTTP JSON receiver with their parent links', async () => {
  const receiver = await startReceiver();
  try {
    const run = await runFixture({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    assert.equal(run.code, 0);
    assert.deepEqual(JSON.parse(run.stdout), { recording: true });
    assert.ok(receiver.requests.length > 0);
    for (const request of receiver.requests) {
      assert.equal(request.path, '/v1/traces');
      assert.equal(request.headers['content-type'], 'application/json');
    }
    const { spans, serviceNames } = spansOf(receiver.requests);
    assert.deepEqual([...new Set(serviceNames)], ['s2s-gateway']);
    const byName = new Map(spans.map((span) => [span.name, span]));
    assert.deepEqual(
      [...byName.keys()].sort(),
      ['chat test-model', 's2s.agent', 's2s.asr.transcribe', 's2s.session', 's2s.turn'],
    );
    const parentName = (name: string) => spans.find((s) => s.spanId === byName.get(name)?.parentSpanId)?.name;
    assert.equal(parentName('s2s.turn'), 's2s.session');
    assert.equal(parentName('s2s.asr.transcribe'), 's2s.turn');
    assert.equal(parentName('s2s.agent'), 's2s.turn');
    assert.equal(parentName('chat test-model'), 's2s.agent');
    // The client's traceparent parents the session.
    assert.equal(byName.get('s2s.session')?.parentSpanId, '00f067aa0ba902b7');
    for (const span of spans) assert.equal(span.traceId, CLIENT_TRACE_ID);
    const llm = byName.get('chat test-model');
    assert.equal(llm?.kind, 3, 'SPAN_KIND_CLIENT');
    assert.deepEqual(llm?.attributes.find((a) => a.key === 'gen_ai.operation.name')?.value, { stringValue: 'chat' });
  } finally {
    receiver.close();
  }
});

test('http/protobuf is the default OTLP protocol', async () => {
  const receiver = await startReceiver();
  try {
    const run = await runFixture({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces` });
    assert.equal(run.code, 0);
    assert.ok(receiver.requests.length > 0);
    const body = Buffer.concat(receiver.requests.map((r) => r.body));
    for (const request of receiver.requests) assert.equal(request.headers['content-type'], 'application/x-protobuf');
    // Protobuf carries strings as raw UTF-8.
    for (const name of ['s2s.session', 's2s.turn', 's2s.asr.transcribe', 's2s.agent', 'chat test-model']) {
      assert.ok(body.includes(name), name);
    }
  } finally {
    receiver.close();
  }
});

test('SIGTERM to a program without its own handler flushes the spans, then ends by the signal', async () => {
  const receiver = await startReceiver();
  try {
    const run = await runFixture(
      { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      ['--wait'],
      (pid) => process.kill(pid, 'SIGTERM'),
    );
    assert.equal(run.signal, 'SIGTERM');
    assert.equal(spansOf(receiver.requests).spans.length, 5);
  } finally {
    receiver.close();
  }
});

test('a program that handles SIGTERM itself drains, flushes through shutdownTelemetry() and exits its own way', async () => {
  const receiver = await startReceiver();
  try {
    const run = await runFixture(
      { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      ['--wait', '--own-handler'],
      (pid) => process.kill(pid, 'SIGTERM'),
    );
    assert.equal(run.code, 0);
    const names = spansOf(receiver.requests).spans.map((span) => span.name);
    assert.equal(names.length, 6);
    assert.ok(names.includes('s2s.playback'), 'the span ended while draining was exported');
  } finally {
    receiver.close();
  }
});

test('without OTEL configuration no SDK starts and spans are not recorded', async () => {
  const run = await runFixture({});
  assert.equal(run.code, 0);
  assert.deepEqual(JSON.parse(run.stdout), { recording: false });
});

test('OTEL_SDK_DISABLED=true wins over a configured endpoint', async () => {
  const receiver = await startReceiver();
  try {
    const run = await runFixture({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SDK_DISABLED: 'true' });
    assert.equal(run.code, 0);
    assert.deepEqual(JSON.parse(run.stdout), { recording: false });
    assert.equal(receiver.requests.length, 0);
  } finally {
    receiver.close();
  }
});
