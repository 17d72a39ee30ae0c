import type { IncomingHttpHeaders } from 'node:http';

/**
 * Which generation of the Realtime API a client speaks. The GA API renamed some server events
 * (`response.output_audio.delta` for `response.audio.delta`, `conversation.item.added` for `.created`) and
 * reshaped the session object. Beta clients say `OpenAI-Beta: realtime=v1` on the upgrade (the `openai` SDK's beta
 * class does); `?api=beta` or `?api=ga` overrides that for clients that cannot set headers.
 */
export type Dialect = 'ga' | 'beta';

export function dialectOf(headers: IncomingHttpHeaders, query: Record<string, unknown>): Dialect {
  if (query.api === 'beta' || query.api === 'ga') return query.api;
  const beta = headers['openai-beta'];
  return (Array.isArray(beta) ? beta.join(',') : (beta ?? '')).includes('realtime=v1') ? 'beta' : 'ga';
}

/** Server event names that differ between the generations. */
export const EVENT_NAMES = {
  ga: {
    audioDelta: 'response.output_audio.delta',
    audioDone: 'response.output_audio.done',
    transcriptDelta: 'response.output_audio_transcript.delta',
    transcriptDone: 'response.output_audio_transcript.done',
    textDelta: 'response.output_text.delta',
    textDone: 'response.output_text.done',
    itemCreated: 'conversation.item.added',
  },
  beta: {
    audioDelta: 'response.audio.delta',
    audioDone: 'response.audio.done',
    transcriptDelta: 'response.audio_transcript.delta',
    transcriptDone: 'response.audio_transcript.done',
    textDelta: 'response.text.delta',
    textDone: 'response.text.done',
    itemCreated: 'conversation.item.created',
  },
} as const;

/** Content part types of assistant and user items. */
export const PART_TYPES = {
  ga: { audio: 'output_audio', text: 'output_text', inputText: 'input_text' },
  beta: { audio: 'audio', text: 'text', inputText: 'input_text' },
} as const;
