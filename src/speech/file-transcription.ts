import type { Transcriber } from '../contracts/asr.ts';

export const RATE_HZ = 16_000;
/** Whisper hears at most 30 s at once: a longer file is transcribed window by window. */
const WINDOW_SAMPLES = 30 * RATE_HZ;
/** A window ends at the quietest 100 ms of its last 5 s, so a cut rarely falls inside a word. */
const CUT_SEARCH_SAMPLES = 5 * RATE_HZ;
const CUT_FRAME_SAMPLES = RATE_HZ / 10;

export interface TranscriptSegment {
  /** Seconds from the start of the file. */
  start: number;
  end: number;
  text: string;
}

export interface FileTranscript {
  text: string;
  /** Detected (when asked for `auto`) or the language asked for. */
  language: string;
  durationSeconds: number;
  segments: TranscriptSegment[];
}

export interface FileTranscriptionOptions {
  language: string;
  signal: AbortSignal;
  /** Names the request's lane in the recogniser's queue. */
  requestId: string;
  /** Told of each segment as soon as it is transcribed (a streamed response). */
  onSegment?: (segment: TranscriptSegment) => void;
}

/** Where the windows of a file end: every 30 s at most, at the quietest moment before that. */
export function windowEnds(audio: Int16Array): number[] {
  const ends: number[] = [];
  for (let start = 0; start < audio.length; ) {
    if (audio.length - start <= WINDOW_SAMPLES) {
      ends.push(audio.length);
      break;
    }
    const end = quietestCut(audio, start + WINDOW_SAMPLES - CUT_SEARCH_SAMPLES, start + WINDOW_SAMPLES);
    ends.push(end);
    start = end;
  }
  return ends;
}

function quietestCut(audio: Int16Array, from: number, to: number): number {
  let best = to;
  let bestEnergy = Infinity;
  for (let frame = from; frame + CUT_FRAME_SAMPLES <= to; frame += CUT_FRAME_SAMPLES) {
    let energy = 0;
    for (let i = frame; i < frame + CUT_FRAME_SAMPLES; i++) energy += audio[i]! * audio[i]!;
    if (energy < bestEnergy) {
      bestEnergy = energy;
      best = frame + CUT_FRAME_SAMPLES / 2;
    }
  }
  return best;
}

/**
 * A whole file through the shared recogniser, one window after the other, as `batch` work: each window waits
 * while a live session's transcription waits, and only one window of a request is queued at a time, so a long
 * file takes turns with conversations instead of holding a context for minutes.
 */
export async function transcribeFile(transcriber: Transcriber, audio16k: Int16Array, options: FileTranscriptionOptions): Promise<FileTranscript> {
  const segments: TranscriptSegment[] = [];
  let language = options.language;
  let start = 0;
  for (const end of windowEnds(audio16k)) {
    const transcript = await transcriber.transcribe(audio16k.subarray(start, end), {
      language,
      signal: options.signal,
      sessionId: options.requestId,
      priority: 'batch',
    });
    // Once detected, the language holds for the rest of the file: a window of silence would detect anything.
    if (language === 'auto' && transcript.language) language = transcript.language;
    if (transcript.text !== '') {
      const segment = { start: start / RATE_HZ, end: end / RATE_HZ, text: transcript.text };
      segments.push(segment);
      options.onSegment?.(segment);
    }
    start = end;
  }
  return {
    text: segments.map((segment) => segment.text).join(' '),
    language: language === 'auto' ? 'en' : language,
    durationSeconds: audio16k.length / RATE_HZ,
    segments,
  };
}
