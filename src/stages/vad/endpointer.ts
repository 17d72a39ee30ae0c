import { PCM16_SCALE, PIPELINE_SAMPLE_RATE_HZ } from '../../audio/audio-format.ts';
import type { VadModel } from '../../contracts/vad.ts';
import { RecentAudio } from './recent-audio.ts';
import { SpeechTail } from './speech-tail.ts';

/** `config.vad` plus `config.asr.maxUtteranceMs`: `{ ...config.vad, maxUtteranceMs: config.asr.maxUtteranceMs }`. */
export interface EndpointerOptions {
  /** Speech probability at or above which a frame is speech. */
  threshold: number;
  minSpeechMs: number;
  minSilenceMs: number;
  prefixPaddingMs: number;
  maxUtteranceMs: number;
}

/** Positions are ms of 16 kHz audio received by this endpointer since it was created or reset. */
export type VadEvent =
  | {
      type: 'speech_start';
      /** Where speech had lasted `minSpeechMs`, which is when it is reported. */
      atMs: number;
      /** The first frame heard as speech. */
      onsetMs: number;
    }
  | {
      type: 'speech_end';
      atMs: number;
      /** Position of `audio[0]`: the onset minus the prefix padding (less if the stream had less to give). */
      startMs: number;
      /**
       * 16 kHz mono: the padding before the onset, the speech, and up to `prefixPaddingMs` after the sound stopped
       * (the rest of the silence window is left out: it only costs recognition time). After `flush()`, all of it.
       */
      audio: Int16Array;
      /** Ended by `maxUtteranceMs` while speech went on. */
      truncated: boolean;
      /** Where the user stopped speaking (the start of the silence window), or `atMs` when cut or flushed. */
      speechEndMs: number;
    };

export interface Endpointer {
  /**
   * Runs the VAD over 16 kHz mono audio of any length, 32 ms frame by frame (an incomplete frame waits for the next
   * call). Calls must not overlap: await each one (a second call while one runs throws). An abort (session teardown)
   * stops between frames and rejects, dropping the rest of the chunk and the events of this call. Nothing here queues: the caller bounds its backlog of chunks waiting
   * for `push` (limits.maxBufferedAudioMs: drop the oldest and send `audio_overflow`).
   */
  push(audio16k: Int16Array, signal?: AbortSignal): Promise<VadEvent[]>;
  /**
   * Push-to-talk `audio_end`: ends the utterance now, without waiting for the silence window, including the last
   * incomplete frame. A candidate that has not reached `minSpeechMs` is reported too (`speech_start` then
   * `speech_end`): the user pressed the button to be heard, so a hesitant VAD must not swallow the turn. When no
   * frame reached the threshold since the last utterance, nothing is returned: transcribing silence only invites
   * hallucinated text. Must not be called while a `push` runs.
   */
  flush(): VadEvent[];
  /** The utterance so far (after `speech_start`, before its `speech_end`), for partial transcripts. */
  currentUtterance(): Int16Array | undefined;
  /**
   * During a pause in a reported utterance: the `speech_end` the silence window would give if nothing more is said
   * (its audio, less any silence beyond `prefixPaddingMs` not yet received), for a speculative transcript.
   */
  pendingEnd(): { audio: Int16Array; speechEndMs: number } | undefined;
  /** Silence so far in a pause of a reported utterance; 0 while speech goes on or between utterances. */
  readonly silenceMs: number;
  /** The silence that ends an utterance, from now on (adaptive endpointing); `minSilenceMs` until changed. */
  setMinSilenceMs(ms: number): void;
  /** Speech heard in the current utterance or candidate (voiced frames x 32 ms), 0 between utterances: for barge-in. */
  readonly speechMs: number;
  /** Forgets everything, including the stream position. */
  reset(): void;
}

const samplesFor = (ms: number) => Math.round((ms * PIPELINE_SAMPLE_RATE_HZ) / 1000);
const msFor = (samples: number) => (samples * 1000) / PIPELINE_SAMPLE_RATE_HZ;
/** How far before Silero's release the end of speech may be placed (its lag measured on clean audio: 50-100 ms). */
const MAX_TAIL_LOOKBACK_MS = 160;

/**
 * End-of-speech detection over VAD probabilities, as Silero's reference iterator does: a frame at or above
 * `threshold` is speech, one below `threshold - 0.15` is silence, one in between keeps the current state.
 * The silence window runs from where the sound stopped (see SpeechTail), not from Silero's later release.
 * Memory is bounded by `maxUtteranceMs` (the utterance) and `prefixPaddingMs` (the audio kept before an onset).
 */
export function createEndpointer(vad: VadModel, options: EndpointerOptions): Endpointer {
  const stream = vad.createStream();
  if (stream.sampleRateHz !== PIPELINE_SAMPLE_RATE_HZ) throw new Error(`the VAD runs at ${stream.sampleRateHz} Hz; the pipeline at ${PIPELINE_SAMPLE_RATE_HZ}`);
  const frameSamples = stream.frameSamples;
  const frameMs = msFor(frameSamples);
  const releaseThreshold = Math.max(options.threshold - 0.15, 0.01);
  const prefixSamples = samplesFor(options.prefixPaddingMs);
  let minSilenceSamples = samplesFor(options.minSilenceMs);
  const maxUtteranceSamples = samplesFor(options.maxUtteranceMs);
  const recent = new RecentAudio(prefixSamples);
  const tail = new SpeechTail(samplesFor(MAX_TAIL_LOOKBACK_MS));

  const frame = new Int16Array(frameSamples);
  const frameFloat = new Float32Array(frameSamples);
  let frameFill = 0;
  /** Samples of whole frames run through the VAD. */
  let position = 0;
  /** No utterance's padding may reach back before the end of the previous utterance. */
  let floor = 0;
  let busy = false;

  /** idle: no speech; candidate: speech heard, not yet `minSpeechMs` of it; speech: reported, until it ends. */
  let phase: 'idle' | 'candidate' | 'speech' = 'idle';
  let chunks: Int16Array[] = [];
  let utteranceSamples = 0;
  let startSample = 0;
  let onsetSample = 0;
  let voicedFrames = 0;
  let silenceStart: number | undefined;

  const utteranceAudio = (limit = utteranceSamples): Int16Array => {
    const audio = new Int16Array(Math.min(limit, utteranceSamples));
    let offset = 0;
    for (const chunk of chunks) {
      if (offset >= audio.length) break;
      const part = chunk.subarray(0, audio.length - offset);
      audio.set(part, offset);
      offset += part.length;
    }
    return audio;
  };

  const toIdle = (endSample: number) => {
    phase = 'idle';
    chunks = [];
    utteranceSamples = 0;
    voicedFrames = 0;
    silenceStart = undefined;
    floor = Math.max(floor, endSample);
  };

  const append = (samples: Int16Array) => {
    chunks.push(samples);
    utteranceSamples += samples.length;
  };

  const speechStart = (): VadEvent => {
    phase = 'speech';
    return { type: 'speech_start', atMs: msFor(position), onsetMs: msFor(onsetSample) };
  };

  const speechEnd = (audio: Int16Array, truncated: boolean, atSample: number, speechEndSample = atSample): VadEvent => {
    const event: VadEvent = {
      type: 'speech_end',
      atMs: msFor(atSample),
      startMs: msFor(startSample),
      audio,
      truncated,
      speechEndMs: msFor(speechEndSample),
    };
    toIdle(startSample + audio.length);
    return event;
  };

  const endBySilence = (silenceFrom: number, atSample: number): VadEvent =>
    speechEnd(utteranceAudio(silenceFrom + prefixSamples - startSample), false, atSample, silenceFrom);

  const startCandidate = (frameStart: number, samples: Int16Array) => {
    const padding = recent.last(Math.min(prefixSamples, frameStart - floor));
    phase = 'candidate';
    onsetSample = frameStart;
    startSample = frameStart - padding.length;
    voicedFrames = 0;
    silenceStart = undefined;
    tail.reset();
    append(padding);
    append(samples);
  };

  const step = (samples: Int16Array, probability: number, events: VadEvent[]) => {
    const frameStart = position;
    position += samples.length;
    const voiced = probability >= options.threshold;

    if (phase !== 'idle' && utteranceSamples + samples.length > maxUtteranceSamples) {
      // At the cap: a reported utterance ends here; this frame then counts as the start of whatever follows.
      if (phase === 'speech') events.push(speechEnd(utteranceAudio(), true, frameStart));
      else toIdle(floor);
    }

    if (phase === 'idle') {
      if (voiced) startCandidate(frameStart, samples);
    } else {
      append(samples);
    }

    if (phase !== 'idle') {
      tail.observe(samples, frameStart);
      if (voiced) {
        voicedFrames += 1;
        silenceStart = undefined;
      } else if (probability < releaseThreshold && silenceStart === undefined) {
        silenceStart = tail.silenceStart(frameStart);
      }
      if (silenceStart !== undefined && position - silenceStart >= minSilenceSamples) {
        if (phase === 'speech') events.push(endBySilence(silenceStart, position));
        else toIdle(floor);
      } else if (phase === 'candidate' && voicedFrames * frameMs >= options.minSpeechMs) {
        events.push(speechStart());
      }
    }
    recent.push(samples);
  };

  return {
    async push(audio16k, signal) {
      if (busy) throw new Error('Endpointer.push called while a push is still running');
      busy = true;
      const events: VadEvent[] = [];
      try {
        let offset = 0;
        while (offset < audio16k.length) {
          signal?.throwIfAborted();
          const take = Math.min(frameSamples - frameFill, audio16k.length - offset);
          frame.set(audio16k.subarray(offset, offset + take), frameFill);
          frameFill += take;
          offset += take;
          // Once the silence window has begun, its end needs no VAD verdict: end at the sample it completes on,
          // not at the next 32 ms frame boundary (on average 16 ms sooner).
          if (phase === 'speech' && silenceStart !== undefined && position + frameFill - silenceStart >= minSilenceSamples) {
            events.push(endBySilence(silenceStart, silenceStart + minSilenceSamples));
          }
          if (frameFill < frameSamples) break;
          for (let i = 0; i < frame.length; i++) frameFloat[i] = frame[i]! / PCM16_SCALE;
          const probability = await stream.process(frameFloat);
          frameFill = 0;
          step(frame.slice(), probability, events);
        }
      } finally {
        busy = false;
      }
      return events;
    },

    flush() {
      if (busy) throw new Error('Endpointer.flush called while a push is still running');
      const rest = frame.slice(0, frameFill);
      frameFill = 0;
      const events: VadEvent[] = [];
      if (phase !== 'idle') {
        append(rest);
        if (phase === 'candidate') events.push(speechStart());
        events.push(speechEnd(utteranceAudio(), false, position + rest.length));
      }
      position += rest.length;
      floor = Math.max(floor, position);
      recent.push(rest);
      return events;
    },

    currentUtterance() {
      return phase === 'speech' ? utteranceAudio() : undefined;
    },

    pendingEnd() {
      if (phase !== 'speech' || silenceStart === undefined) return undefined;
      return { audio: utteranceAudio(silenceStart + prefixSamples - startSample), speechEndMs: msFor(silenceStart) };
    },

    get silenceMs() {
      return phase === 'speech' && silenceStart !== undefined ? msFor(position + frameFill - silenceStart) : 0;
    },

    setMinSilenceMs(ms) {
      minSilenceSamples = samplesFor(ms);
    },

    get speechMs() {
      return phase === 'idle' ? 0 : voicedFrames * frameMs;
    },

    reset() {
      if (busy) throw new Error('Endpointer.reset called while a push is still running');
      stream.reset();
      recent.clear();
      frameFill = 0;
      position = 0;
      floor = 0;
      toIdle(0);
    },
  };
}
