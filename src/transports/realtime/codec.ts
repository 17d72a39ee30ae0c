import type { GatewayError } from '../../core/errors.ts';
import type { SessionEvent, TurnTimings, TurnUsage } from '../../session/events.ts';
import { v1Timings } from '../v1/codec.ts';
import { EVENT_NAMES, PART_TYPES, type Dialect } from './dialect.ts';
import { InputItems, newId } from './input-items.ts';
import type { RealtimeSettings } from './settings.ts';

export type ServerEvent = { type: string; event_id?: string } & Record<string, unknown>;
export type Item = Record<string, unknown> & { id: string; type: string };

/** An assistant message being streamed: its text so far, and whether it speaks. */
interface OpenMessage {
  item: Item;
  outputIndex: number;
  audio: boolean;
  text: string;
}

interface Response {
  id: string;
  turnId: string;
  speak: boolean;
  output: Item[];
  message: OpenMessage | undefined;
  error: GatewayError | undefined;
}

/**
 * Session events as Realtime server events, for one connection. Stateful because the protocol is: a response has
 * an id, output items with indexes and content parts, and every delta names them. It also keeps the items it
 * announced, for `conversation.item.retrieve` and `truncate`.
 */
export class RealtimeCodec {
  readonly #dialect: Dialect;
  readonly #names: (typeof EVENT_NAMES)[Dialect];
  readonly #parts: (typeof PART_TYPES)[Dialect];
  #settings: () => RealtimeSettings;
  #response: Response | undefined;
  /** `response.create` waiting for its turn to start: whether it speaks. */
  #requested: boolean[] = [];
  #cancelRequested = false;
  readonly #input: InputItems;
  readonly #items = new Map<string, Item>();
  /** Assistant item id -> the turn that spoke it, for truncation. */
  readonly #turnOfItem = new Map<string, string>();
  #lastItemId: string | null = null;
  #lastTurnId: string | undefined;

  constructor(dialect: Dialect, settings: () => RealtimeSettings) {
    this.#dialect = dialect;
    this.#names = EVENT_NAMES[dialect];
    this.#parts = PART_TYPES[dialect];
    this.#settings = settings;
    this.#input = new InputItems(settings, (item) => this.#added(item));
  }

  /** The input buffer's side: appends, commits, clears and transcripts. */
  get input(): InputItems {
    return this.#input;
  }

  get dialect(): Dialect {
    return this.#dialect;
  }

  get responding(): boolean {
    return this.#response !== undefined;
  }

  item(id: string): Item | undefined {
    return this.#items.get(id);
  }

  turnOf(itemId: string): string | undefined {
    return this.#turnOfItem.get(itemId);
  }

  /** The turn of the latest response: the only answer whose memory a truncation can still cut. */
  get lastTurnId(): string | undefined {
    return this.#lastTurnId;
  }

  /** The next turn that answers the conversation as it stands comes from `response.create`. */
  responseRequested(speak: boolean): void {
    this.#requested.push(speak);
  }

  /** The client cancelled: the response's status says so. */
  cancelRequested(): void {
    this.#cancelRequested = true;
  }

  /** Server events for one session event (none for those Realtime has no word for). */
  event(event: SessionEvent): ServerEvent[] {
    switch (event.type) {
      case 'started':
      case 'ended':
        return [];
      case 'speech_started':
        return this.#input.speechStarted(event.audioMs ?? 0);
      case 'speech_stopped':
        return this.#input.speechStopped(event.audioMs ?? 0);
      case 'transcript_partial':
        return this.#input.transcript(event.text, false);
      case 'transcript_final':
        return this.#input.transcript(event.text, true);
      case 'turn_started':
        return this.#responseStarted(event.turnId, event.source);
      case 'answer_delta':
        return this.#textDelta(event.turnId, event.text);
      case 'audio_started':
        return this.#response?.turnId === event.turnId ? this.#openMessage(this.#response) : [];
      case 'audio_ended':
      case 'tool_call':
        // The agent's own tools run inside the gateway: Realtime has no event for them (traces and metrics do).
        return [];
      case 'client_tool_call':
        return this.#functionCall(event.turnId, event.callId, event.name, event.arguments);
      case 'turn_ended':
        return this.#responseDone(event.turnId, event.outcome, event.timings, event.usage);
      case 'error':
        // A failed tool leaves the response going: only an error that ends the turn fails it.
        if (this.#response && event.turnId === this.#response.turnId && !event.turnContinues) this.#response.error = event.error;
        // A turn's failure is not the fault of whatever client event is being handled when it arrives.
        return [errorEvent(event.error, event.turnId === undefined ? undefined : null)];
    }
  }

  /** One frame of the answer's audio, already encoded for the wire. */
  audio(turnId: string, bytes: Uint8Array): ServerEvent[] {
    const response = this.#response;
    if (!response || response.turnId !== turnId) return [];
    const opened = this.#openMessage(response);
    const message = response.message!;
    return [
      ...opened,
      {
        type: this.#names.audioDelta,
        response_id: response.id,
        item_id: message.item.id,
        output_index: message.outputIndex,
        content_index: 0,
        delta: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
      },
    ];
  }

  /** A client-created item joined the conversation. */
  itemCreated(item: Item): ServerEvent[] {
    return this.#added(item);
  }

  #responseStarted(turnId: string, source: string): ServerEvent[] {
    const requested = source === 'conversation' ? this.#requested.shift() : undefined;
    const speak = requested ?? this.#settings().speak;
    this.#cancelRequested = false;
    this.#lastTurnId = turnId;
    this.#response = { id: newId('resp'), turnId, speak, output: [], message: undefined, error: undefined };
    return [{ type: 'response.created', response: this.#wireResponse(this.#response, 'in_progress') }];
  }

  #textDelta(turnId: string, text: string): ServerEvent[] {
    const response = this.#response;
    if (!response || response.turnId !== turnId) return [];
    const events = this.#openMessage(response);
    const message = response.message!;
    message.text += text;
    const ids = { response_id: response.id, item_id: message.item.id, output_index: message.outputIndex, content_index: 0 };
    events.push({ type: message.audio ? this.#names.transcriptDelta : this.#names.textDelta, ...ids, delta: text });
    return events;
  }

  #openMessage(response: Response): ServerEvent[] {
    if (response.message) return [];
    const audio = response.speak;
    const item: Item = { id: newId('item'), type: 'message', object: 'realtime.item', status: 'in_progress', role: 'assistant', content: [] };
    const outputIndex = response.output.length;
    response.output.push(item);
    response.message = { item, outputIndex, audio, text: '' };
    this.#turnOfItem.set(item.id, response.turnId);
    const part = audio ? { type: this.#parts.audio, transcript: '' } : { type: this.#parts.text, text: '' };
    return [
      { type: 'response.output_item.added', response_id: response.id, output_index: outputIndex, item: { ...item } },
      ...this.#added(item),
      { type: 'response.content_part.added', response_id: response.id, item_id: item.id, output_index: outputIndex, content_index: 0, part },
    ];
  }

  #closeMessage(response: Response, status: 'completed' | 'incomplete'): ServerEvent[] {
    const message = response.message;
    if (!message) return [];
    response.message = undefined;
    const ids = { response_id: response.id, item_id: message.item.id, output_index: message.outputIndex, content_index: 0 };
    const part = message.audio ? { type: this.#parts.audio, transcript: message.text } : { type: this.#parts.text, text: message.text };
    Object.assign(message.item, { status, content: [part] });
    const events: ServerEvent[] = message.audio
      ? [{ type: this.#names.audioDone, ...ids }, { type: this.#names.transcriptDone, ...ids, transcript: message.text }]
      : [{ type: this.#names.textDone, ...ids, text: message.text }];
    events.push({ type: 'response.content_part.done', ...ids, part });
    events.push({ type: 'response.output_item.done', response_id: response.id, output_index: message.outputIndex, item: { ...message.item } });
    if (this.#dialect === 'ga') events.push({ type: 'conversation.item.done', item: { ...message.item } });
    return events;
  }

  #functionCall(turnId: string, callId: string, name: string, args: string): ServerEvent[] {
    const response = this.#response;
    if (!response || response.turnId !== turnId) return [];
    const events = this.#closeMessage(response, 'completed');
    const item: Item = { id: newId('item'), type: 'function_call', object: 'realtime.item', status: 'in_progress', call_id: callId, name, arguments: '' };
    const outputIndex = response.output.length;
    response.output.push(item);
    const ids = { response_id: response.id, item_id: item.id, output_index: outputIndex, call_id: callId };
    events.push({ type: 'response.output_item.added', response_id: response.id, output_index: outputIndex, item: { ...item } });
    events.push(...this.#added(item));
    events.push({ type: 'response.function_call_arguments.delta', ...ids, delta: args });
    events.push({ type: 'response.function_call_arguments.done', ...ids, name, arguments: args });
    Object.assign(item, { status: 'completed', arguments: args });
    events.push({ type: 'response.output_item.done', response_id: response.id, output_index: outputIndex, item: { ...item } });
    if (this.#dialect === 'ga') events.push({ type: 'conversation.item.done', item: { ...item } });
    return events;
  }

  #responseDone(turnId: string, outcome: 'completed' | 'interrupted' | 'failed', timings: TurnTimings, usage: TurnUsage | undefined): ServerEvent[] {
    const response = this.#response;
    if (!response || response.turnId !== turnId) return [];
    this.#response = undefined;
    const finished = usage?.stoppedAtLimit ? 'incomplete' : 'completed';
    const status = outcome === 'completed' ? finished : outcome === 'interrupted' ? 'cancelled' : 'failed';
    const events = this.#closeMessage(response, status === 'completed' ? 'completed' : 'incomplete');
    // The gateway's stage times ride along under a name of its own: clients that do not know it ignore it.
    events.push({ type: 'response.done', response: { ...this.#wireResponse(response, status, usage), s2s_timings: v1Timings(timings) } });
    return events;
  }

  #wireResponse(response: Response, status: string, usage?: TurnUsage): Record<string, unknown> {
    let details: Record<string, unknown> | null = null;
    if (status === 'incomplete') details = { type: 'incomplete', reason: 'max_output_tokens' };
    if (status === 'cancelled') details = { type: 'cancelled', reason: this.#cancelRequested ? 'client_cancelled' : 'turn_detected' };
    if (status === 'failed') {
      const error = response.error;
      details = { type: 'failed', error: error ? { type: errorType(error), code: error.code, message: error.publicMessage } : null };
    }
    const modalities = response.speak ? (this.#dialect === 'ga' ? ['audio'] : ['text', 'audio']) : ['text'];
    return {
      id: response.id,
      object: 'realtime.response',
      status,
      status_details: details,
      output: response.output.map((item) => ({ ...item })),
      conversation_id: 'conv_default',
      [this.#dialect === 'ga' ? 'output_modalities' : 'modalities']: modalities,
      usage: usage ? wireUsage(usage) : null,
      metadata: null,
    };
  }

  /** Announces an item joining the conversation, after the last one. */
  #added(item: Item): ServerEvent[] {
    const previous = this.#lastItemId;
    this.#items.set(item.id, item);
    this.#lastItemId = item.id;
    const events: ServerEvent[] = [{ type: this.#names.itemCreated, previous_item_id: previous, item: { ...item } }];
    if (this.#dialect === 'ga' && item.status === 'completed') events.push({ type: 'conversation.item.done', item: { ...item } });
    return events;
  }
}

/** The LLM's tokens: all text, as the gateway's model reads and writes text (speech goes through ASR and TTS). */
function wireUsage(usage: TurnUsage): Record<string, unknown> {
  return {
    total_tokens: usage.inputTokens + usage.outputTokens,
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    input_token_details: { text_tokens: usage.inputTokens, audio_tokens: 0, cached_tokens: 0 },
    output_token_details: { text_tokens: usage.outputTokens, audio_tokens: 0 },
  };
}

/** Client faults are `invalid_request_error`; the rest are the server's. */
export function errorType(error: GatewayError): string {
  return error.stage === 'session' && error.code !== 'internal' ? 'invalid_request_error' : 'server_error';
}

/** `eventId` undefined: the channel names the client event being handled, if any. */
export function errorEvent(error: GatewayError, eventId?: string | null): ServerEvent {
  return { type: 'error', error: { type: errorType(error), code: error.code, message: error.publicMessage, param: undefined, event_id: eventId } };
}
