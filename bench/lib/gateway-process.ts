/**
 * The gateway under test, in a process of its own so that the clients and the LLM stand-in driving it do not
 * show up in its CPU time, memory or event-loop lag. Started by `gateway-handle.ts` with the LLM's base URL as
 * its argument; answers the requests of `GatewayRequest` over the IPC channel.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startTestGateway } from '../../test/support/gateway.ts';
import type { GatewayReply, GatewayRequest, ServerSample } from './gateway-protocol.ts';

// The histogram records whole timer intervals: an idle loop reads as the resolution, so it is subtracted.
const LOOP_RESOLUTION_MS = 10;
const RSS_SAMPLE_MS = 100;

const llmUrl = process.argv[2];
if (!llmUrl || !process.send) throw new Error('usage: forked by bench/lib/gateway-handle.ts with the LLM base URL');
const send = process.send.bind(process);

const gateway = await startTestGateway({ llm: { baseUrl: llmUrl } });
const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
loop.enable();

let window = await openWindow();
const rssTimer = setInterval(() => {
  window.rssPeak = Math.max(window.rssPeak, process.memoryUsage.rss());
}, RSS_SAMPLE_MS);

async function openWindow() {
  loop.reset();
  const rss = process.memoryUsage.rss();
  return { at: performance.now(), cpu: process.cpuUsage(), rssStart: rss, rssPeak: rss, drafts: await gateway.runtime.metrics.speculations() };
}

async function sample(): Promise<ServerSample> {
  const drafts = await gateway.runtime.metrics.speculations();
  const cpu = process.cpuUsage(window.cpu);
  const rss = process.memoryUsage.rss();
  const lagMs = (q: number) => Math.max(0, loop.percentile(q) / 1e6 - LOOP_RESOLUTION_MS);
  return {
    elapsedMs: performance.now() - window.at,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssStartMiB: window.rssStart / 2 ** 20,
    rssPeakMiB: Math.max(window.rssPeak, rss) / 2 ** 20,
    heapUsedMiB: process.memoryUsage().heapUsed / 2 ** 20,
    loopLagMs: { p50: lagMs(50), p99: lagMs(99), max: Math.max(0, loop.max / 1e6 - LOOP_RESOLUTION_MS) },
    drafts: { committed: drafts.committed - window.drafts.committed, dropped: drafts.dropped - window.drafts.dropped },
  };
}

process.on('message', (request: GatewayRequest) => {
  void (async (): Promise<GatewayReply> => {
    switch (request.type) {
      case 'mark':
        window = await openWindow();
        return { id: request.id, type: 'marked' };
      case 'measure':
        return { id: request.id, type: 'measured', sample: await sample() };
      case 'close':
        clearInterval(rssTimer);
        loop.disable();
        await gateway.close();
        return { id: request.id, type: 'closed' };
    }
  })().then((reply) => send(reply));
});

// The bench went away without asking to close (killed, or out of time): nothing is left to measure for.
process.on('disconnect', () => process.exit(0));

const { vad, turns } = gateway.runtime.config;
send({ id: 0, type: 'ready', wsUrl: gateway.wsUrl, minSilenceMs: vad.minSilenceMs, speculativeAfterMs: turns.speculativeAfterMs } satisfies GatewayReply);
