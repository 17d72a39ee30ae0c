// What an AudioWorkletGlobalScope offers (not in TypeScript's DOM library); only the worklets under this folder
// run there.
declare global {
  /** The context's rate, in the worklet scope. */
  const sampleRate: number;
  /** Frames rendered so far by the context. */
  const currentFrame: number;
  /** The worklet's end of the channel to its AudioWorkletNode. */
  interface WorkletPort {
    postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
    onmessage: ((event: { data: never }) => void) | null;
  }
  class AudioWorkletProcessor {
    readonly port: WorkletPort;
  }
  function registerProcessor(name: string, processor: new (options: { processorOptions?: unknown }) => AudioWorkletProcessor): void;
}
export {};
