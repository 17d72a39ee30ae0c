/** What the bench and the gateway process it started say to each other over the IPC channel. */

export interface ServerSample {
  /** Since the last `mark`. */
  elapsedMs: number;
  /** CPU time of the whole gateway process (every thread: onnxruntime, whisper.cpp, libuv pool), user + system. */
  cpuMs: number;
  rssStartMiB: number;
  rssPeakMiB: number;
  heapUsedMiB: number;
  /** How late the event loop ran a timer: percentiles over the window, in ms. */
  loopLagMs: { p50: number; p99: number; max: number };
  /** Speculative (draft) turns since the mark: committed at the endpoint, or dropped when speech resumed. */
  drafts: { committed: number; dropped: number };
}

export type GatewayRequest = { id: number; type: 'mark' } | { id: number; type: 'measure' } | { id: number; type: 'close' };

export type GatewayReply =
  | { id: number; type: 'ready'; wsUrl: string; minSilenceMs: number; speculativeAfterMs: number }
  | { id: number; type: 'marked' }
  | { id: number; type: 'measured'; sample: ServerSample }
  | { id: number; type: 'closed' };
