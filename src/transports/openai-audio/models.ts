/** OpenAI's transcription model names: clients send them, the gateway answers with its own recogniser. */
export const OPENAI_ASR_MODELS = ['whisper-1', 'gpt-4o-transcribe', 'gpt-4o-mini-transcribe'] as const;
/** OpenAI's speech model names: the gateway speaks with its voices for them. */
export const OPENAI_TTS_MODELS = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts'] as const;
/** OpenAI's built-in voice names: clients default to them; they get the gateway's default voice. */
export const OPENAI_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'fable', 'nova', 'onyx', 'sage', 'shimmer', 'verse', 'marin', 'cedar'];

export interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/** Start-up time: OpenAI's `created` of a model, here when the gateway started offering it. */
const CREATED = Math.floor(Date.now() / 1000);

export function modelEntry(id: string): ModelEntry {
  return { id, object: 'model', created: CREATED, owned_by: 's2s-gateway' };
}
