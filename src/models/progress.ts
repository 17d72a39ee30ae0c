import cliProgress from 'cli-progress';
import type { ModelLog, ProgressEvent, ProgressListener } from './download.ts';

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Bytes per second since this download (not the resumed part) started. */
class RateMeter {
  readonly #startedAt = performance.now();
  readonly #startBytes: number;

  constructor(startBytes: number) {
    this.#startBytes = startBytes;
  }

  bytesPerSecond(receivedBytes: number): number {
    const seconds = (performance.now() - this.#startedAt) / 1000;
    return seconds > 0 ? (receivedBytes - this.#startBytes) / seconds : 0;
  }
}

/** A progress bar with bytes, rate and ETA, for a terminal. */
export function terminalProgress(stream: NodeJS.WritableStream): ProgressListener {
  let bar: cliProgress.SingleBar | undefined;
  let meter: RateMeter | undefined;
  return (event: ProgressEvent) => {
    if (event.type === 'start') {
      bar?.stop();
      meter = new RateMeter(event.resumedBytes);
      bar = new cliProgress.SingleBar({
        stream,
        format: '{file} [{bar}] {percentage}% | {value}/{total} | {rate} | ETA {eta_formatted}',
        formatValue: (value, _options, type) => (type === 'value' || type === 'total' ? formatBytes(value) : String(value)),
        hideCursor: true,
        etaBuffer: 50,
      }, cliProgress.Presets.shades_classic);
      bar.start(event.totalBytes, event.resumedBytes, { file: event.file, rate: '-' });
    } else if (event.type === 'bytes') {
      bar?.update(event.receivedBytes, { rate: `${formatBytes(meter?.bytesPerSecond(event.receivedBytes) ?? 0)}/s` });
    } else {
      bar?.stop();
      bar = undefined;
    }
  };
}

/** Plain log lines for logs and pipes: one at the start, one per 10 %, one at the end. */
function logProgress(log: ModelLog): ProgressListener {
  let nextPercent = 10;
  let meter: RateMeter | undefined;
  return (event: ProgressEvent) => {
    if (event.type === 'start') {
      nextPercent = Math.floor((event.resumedBytes / event.totalBytes) * 10) * 10 + 10;
      meter = new RateMeter(event.resumedBytes);
      log.info({ file: event.file, totalBytes: event.totalBytes, resumedBytes: event.resumedBytes }, 'model download started');
    } else if (event.type === 'bytes') {
      const percent = (event.receivedBytes / event.totalBytes) * 100;
      if (percent < nextPercent || event.receivedBytes === event.totalBytes) return;
      nextPercent = Math.floor(percent / 10) * 10 + 10;
      const bytesPerSecond = Math.round(meter?.bytesPerSecond(event.receivedBytes) ?? 0);
      log.info({ file: event.file, percent: Math.floor(percent), receivedBytes: event.receivedBytes, totalBytes: event.totalBytes, bytesPerSecond }, 'model download progress');
    } else {
      log.info({ file: event.file }, 'model downloaded and verified');
    }
  };
}

/** A bar when `stream` is a terminal, log lines otherwise. */
export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }, log: ModelLog): ProgressListener {
  return stream.isTTY ? terminalProgress(stream) : logProgress(log);
}
