import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { GatewayError } from '../../core/errors.ts';

/**
 * The part of a Piper `voice.onnx.json` this engine uses. Unknown keys (dataset, language, piper_version...)
 * are ignored: voices from different Piper versions carry different extras.
 */
const voiceConfigSchema = z.object({
  audio: z.object({ sample_rate: z.number().int().min(8_000).max(48_000) }),
  espeak: z.object({ voice: z.string().min(1) }),
  // Piper's training defaults, used by voices exported without an `inference` section.
  inference: z
    .object({
      noise_scale: z.number().nonnegative().default(0.667),
      length_scale: z.number().positive().default(1),
      noise_w: z.number().nonnegative().default(0.8),
    })
    .default({ noise_scale: 0.667, length_scale: 1, noise_w: 0.8 }),
  // Voices that phonemise with something else than espeak (`text`, `pinyin`) would need another front end.
  phoneme_type: z.literal('espeak').default('espeak'),
  phoneme_map: z.record(z.string(), z.array(z.string())).default({}),
  phoneme_id_map: z
    .record(z.string(), z.array(z.number().int().nonnegative()).min(1))
    .refine((map) => ['^', '_', '$'].every((symbol) => symbol in map), {
      message: 'must map the BOS "^", pad "_" and EOS "$" symbols',
    }),
  num_speakers: z.number().int().min(1).default(1),
  speaker_id_map: z.record(z.string(), z.number().int().nonnegative()).default({}),
});

export type VoiceConfig = z.infer<typeof voiceConfigSchema>;

/** Reads and validates a voice config; every failure names the file (and the key when the content is wrong). */
export async function readVoiceConfig(configPath: string, signal?: AbortSignal): Promise<VoiceConfig> {
  let text: string;
  try {
    text = await readFile(configPath, { encoding: 'utf8', signal });
  } catch (err) {
    throw new GatewayError('model_not_ready', `Piper voice config ${configPath} could not be read`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new GatewayError('model_not_ready', `Piper voice config ${configPath} is not valid JSON`, { cause: err });
  }
  const parsed = voiceConfigSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new GatewayError('model_not_ready', `Piper voice config ${configPath} is invalid: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Speaker names ordered by id; empty for single-speaker voices. */
export function speakerNames(config: VoiceConfig): string[] {
  if (config.num_speakers <= 1) return [];
  const names = Array.from({ length: config.num_speakers }, (_, id) => String(id));
  for (const [name, id] of Object.entries(config.speaker_id_map)) {
    if (id < names.length) names[id] = name;
  }
  return names;
}
