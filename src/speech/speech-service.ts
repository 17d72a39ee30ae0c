import { randomUUID } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import type { Transcriber } from '../contracts/asr.ts';
import type { Voice } from '../contracts/voices.ts';
import { GatewayError } from '../core/errors.ts';
import type { GatewayMetrics } from '../observability/metrics.ts';
import { ATTR, SPAN, contentAttributes, inChildSpan, recordFailure, startChildSpan } from '../observability/tracing.ts';
import { transcribeFile, type FileTranscript, type TranscriptSegment } from './file-transcription.ts';
import { synthesizeText } from './text-synthesis.ts';

/** The voices as the speech APIs read them: the default first. */
export interface SpeechVoices {
  readonly all: readonly Voice[];
  has(name: string): boolean;
  select(lang: string, name?: string): Voice;
}

export interface SpeechServiceDeps {
  /** The loaded recogniser, or GatewayError('model_not_ready'). */
  transcriber(): Transcriber;
  /** The recogniser's model name, as the APIs list it. */
  asrModel: string;
  voices: SpeechVoices;
  metrics: GatewayMetrics;
  traceContent: boolean;
}

export interface TranscribeRequest {
  language: string;
  signal: AbortSignal;
  /** The request's span context (stage spans become its children). */
  trace: Context;
  onSegment?: (segment: TranscriptSegment) => void;
}

export interface SynthesizeRequest {
  /** A configured voice's name; unset: the language's voice, else the default. */
  voice?: string | undefined;
  language?: string | undefined;
  speed?: number | undefined;
  signal: AbortSignal;
  trace: Context;
}

export interface Speech {
  voice: Voice;
  /** PCM16 mono at `voice.sampleRateHz`, phrase by phrase as synthesised. */
  audio: AsyncGenerator<Int16Array>;
}

/**
 * Request/response speech over the engines the sessions use, measured and traced like a turn's stages. Transcription
 * and synthesis run as batch work, behind live sessions (see transcribeFile and synthesizeText).
 */
export class SpeechService {
  readonly #deps: SpeechServiceDeps;

  constructor(deps: SpeechServiceDeps) {
    this.#deps = deps;
  }

  get asrModel(): string {
    return this.#deps.asrModel;
  }

  get voices(): SpeechVoices {
    return this.#deps.voices;
  }

  /** Throws model_not_ready while the recogniser loads, asr_busy when its queue is full, asr_failed. */
  async transcribe(audio16k: Int16Array, request: TranscribeRequest): Promise<FileTranscript> {
    const transcriber = this.#deps.transcriber();
    const started = performance.now();
    const attributes = { [ATTR.audioSeconds]: audio16k.length / 16_000, [ATTR.lang]: request.language };
    const transcript = await inChildSpan(request.trace, SPAN.asrTranscribe, attributes, async (span) => {
      const result = await transcribeFile(transcriber, audio16k, { ...request, requestId: randomUUID() });
      span.setAttributes({ [ATTR.lang]: result.language, ...contentAttributes(this.#deps.traceContent, { transcript: result.text }) });
      return result;
    });
    this.#deps.metrics.observeStage('asr', (performance.now() - started) / 1000, request.trace);
    return transcript;
  }

  /** The voice, or unknown_voice naming the ones there are; the voice's speech as it is synthesised. */
  synthesize(text: string, request: SynthesizeRequest): Speech {
    const { voices } = this.#deps;
    if (request.voice !== undefined && !voices.has(request.voice)) {
      const names = voices.all.map((v) => v.name).join(', ');
      throw new GatewayError('unknown_voice', `no voice named "${request.voice}"; voices: ${names}`);
    }
    const voice = voices.select(request.language ?? '', request.voice);
    const synthesizer = voice.synthesizer();
    const { metrics } = this.#deps;
    const audio = synthesizeText(synthesizer, text, {
      signal: request.signal,
      speed: request.speed,
      language: request.language,
      onPhrase: (phrase) => {
        const started = performance.now();
        const { span, context } = startChildSpan(request.trace, SPAN.ttsSynthesize, { [ATTR.ttsVoice]: voice.name, [ATTR.textChars]: phrase.length });
        return {
          end(error?: unknown) {
            if (error !== undefined) recordFailure(span, error);
            else metrics.observeStage('tts', (performance.now() - started) / 1000, context);
            span.end();
          },
        };
      },
    });
    return { voice, audio };
  }
}
