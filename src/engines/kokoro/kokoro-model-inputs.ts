import type { KokoroFeedNames, KokoroModelSignature } from './kokoro-inference-worker.ts';

/**
 * The Kokoro-82M ONNX exports in use take the same three inputs under different names: onnx-community's
 * (`input_ids` int64 [1, n], `style` float32 [1, 256], `speed` float32 [1]; output `waveform`) and kokoro-onnx's
 * (`tokens` for the ids; its output is the first). Returns how to feed this one, or what it lacks.
 */
export function feedNames(signature: KokoroModelSignature): KokoroFeedNames | string {
  const input = (name: string) => signature.inputs.find((value) => value.name === name);
  const ids = input('input_ids') ?? input('tokens');
  const style = input('style');
  const speed = input('speed');
  const output = signature.outputs.find((value) => value.name === 'waveform') ?? signature.outputs[0];
  if (ids === undefined || style === undefined || speed === undefined || output === undefined) {
    return `it takes ${signature.inputs.map((v) => v.name).join(', ')} but Kokoro's are input_ids (or tokens), style and speed`;
  }
  if (ids.type !== 'int64') return `its "${ids.name}" is ${ids.type ?? 'not a tensor'}, not int64`;
  if (style.type !== 'float32') return `its "style" is ${style.type ?? 'not a tensor'}, not float32`;
  if (speed.type !== 'float32' && speed.type !== 'int32') return `its "speed" is ${speed.type ?? 'not a tensor'}, not float32`;
  if (output.type !== 'float32') return `its output "${output.name}" is ${output.type ?? 'not a tensor'}, not float32`;
  return { ids: ids.name, style: 'style', speed: 'speed', speedType: speed.type, output: output.name };
}
