import { randomUUID } from 'node:crypto';
import type { Item, ServerEvent } from './codec.ts';
import type { RealtimeSettings } from './settings.ts';

export const newId = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 24)}`;

/** A user utterance: open while the user speaks, then committed and waiting for its transcript. */
interface UserAudio {
  item: Item;
  sentTranscript: string;
}

/**
 * The input buffer's side of a Realtime connection: each utterance becomes a user item when it is committed (by
 * the server VAD's end of speech, or the client's `commit`), and its transcript arrives on that item later.
 */
export class InputItems {
  readonly #settings: () => RealtimeSettings;
  /** Announces an item joining the conversation. */
  readonly #added: (item: Item) => ServerEvent[];
  #open: UserAudio | undefined;
  /** Committed, oldest first, waiting for their final transcripts (which arrive in the same order). */
  readonly #committed: UserAudio[] = [];
  #uncommittedMs = 0;

  constructor(settings: () => RealtimeSettings, added: (item: Item) => ServerEvent[]) {
    this.#settings = settings;
    this.#added = added;
  }

  /** Input audio appended since the last commit (the client's or the VAD's). */
  get uncommittedMs(): number {
    return this.#uncommittedMs;
  }

  appended(ms: number): void {
    this.#uncommittedMs += ms;
  }

  /** The client committed the input buffer: the open utterance (or a new, maybe silent, one) becomes an item. */
  commit(): ServerEvent[] {
    return this.#commit(this.#open ?? newUser());
  }

  /** The input buffer was cleared: the utterance in progress is forgotten. */
  clear(): ServerEvent[] {
    this.#open = undefined;
    this.#uncommittedMs = 0;
    return [{ type: 'input_audio_buffer.cleared' }];
  }

  speechStarted(audioMs: number): ServerEvent[] {
    this.#open = newUser();
    const detection = this.#settings().turnDetection;
    if (!detection) return [];
    // Realtime counts the prefix padding as part of the speech.
    const start = Math.max(0, audioMs - detection.prefixPaddingMs);
    return [{ type: 'input_audio_buffer.speech_started', item_id: this.#open.item.id, audio_start_ms: start }];
  }

  speechStopped(audioMs: number): ServerEvent[] {
    const user = this.#open;
    // Push-to-talk: the commit made the item; the VAD's end of speech is not news to the client.
    if (!this.#settings().turnDetection) this.#open = undefined;
    if (!user || !this.#settings().turnDetection) return [];
    return [{ type: 'input_audio_buffer.speech_stopped', item_id: user.item.id, audio_end_ms: audioMs }, ...this.#commit(user)];
  }

  /** Partials carry the whole utterance so far; Realtime deltas append, so only what extends the sent text goes out. */
  transcript(text: string, final: boolean): ServerEvent[] {
    const user = final ? this.#committed.shift() : (this.#open ?? this.#committed[0]);
    if (!user) return [];
    const events: ServerEvent[] = [];
    const on = this.#settings().transcription !== null;
    if (on && text.startsWith(user.sentTranscript) && text.length > user.sentTranscript.length) {
      events.push({
        type: 'conversation.item.input_audio_transcription.delta',
        item_id: user.item.id,
        content_index: 0,
        delta: text.slice(user.sentTranscript.length),
      });
      user.sentTranscript = text;
    }
    if (final) {
      (user.item.content as { transcript: string | null }[])[0]!.transcript = text;
      if (on) events.push({ type: 'conversation.item.input_audio_transcription.completed', item_id: user.item.id, content_index: 0, transcript: text });
    }
    return events;
  }

  #commit(user: UserAudio): ServerEvent[] {
    if (this.#open === user) this.#open = undefined;
    this.#uncommittedMs = 0;
    this.#committed.push(user);
    const [added, ...rest] = this.#added(user.item);
    return [{ type: 'input_audio_buffer.committed', item_id: user.item.id, previous_item_id: added?.previous_item_id ?? null }, added!, ...rest];
  }
}

function newUser(): UserAudio {
  return {
    item: { id: newId('item'), type: 'message', object: 'realtime.item', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] },
    sentTranscript: '',
  };
}
