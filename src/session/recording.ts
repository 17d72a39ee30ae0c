import type { AudioFormat } from '../audio/audio-format.ts';
import type { GatewayError } from '../core/errors.ts';
import type { VoiceInputFactory, VoiceSession } from './voice-input.ts';

/**
 * Transcribes a recorded utterance apart from the live microphone: it goes through a voice input of its own
 * (resampling, VAD, ASR as for the microphone) with manual endpointing, and its events stay here. Resolves with
 * the transcript ('' when nothing was said); throws the first error the input reported.
 */
export async function transcribeRecording(
  createVoiceInput: VoiceInputFactory,
  session: Pick<VoiceSession, 'id' | 'lang'>,
  format: AudioFormat,
  audio: Uint8Array,
): Promise<string> {
  let text = '';
  let failure: GatewayError | undefined;
  const input = await createVoiceInput(
    format,
    { ...session, turnTaking: { endpointing: 'manual', autoRespond: false, bargeIn: false } },
    {
      emit: () => undefined,
      speaking: () => false,
      bargeIn: () => undefined,
      utterance: (next) => {
        // The span covers hearing the recording; answering it, when asked for, is a turn of its own.
        next.telemetry.ended('completed', next.timings ?? {}, {});
        text = next.text ?? '';
      },
      error: (error) => {
        failure ??= error;
      },
    },
  );
  try {
    input.push(audio);
    input.end();
    await input.settled();
  } finally {
    input.close();
  }
  if (failure) throw failure;
  return text;
}
