import type { FastifyInstance } from 'fastify';
import { GatewayError, type SessionEndCode } from '../../core/errors.ts';
import { extractParentFromHeaders } from '../../observability/tracing.ts';
import type { Session } from '../../session/session.ts';
import type { TransportDeps } from '../deps.ts';
import { CLOSE_CODES } from '../v1/close-codes.ts';
import { requireKey } from '../v1/route.ts';
import { RealtimeChannel } from './channel.ts';
import { RealtimeCodec, errorEvent } from './codec.ts';
import { newId } from './input-items.ts';
import { dialectOf } from './dialect.ts';
import { decodeG711 } from './g711.ts';
import type { ClientEvent, ConversationItemInput } from './messages.ts';
import { parseClientEvent } from './parse.ts';
import { applyUpdate, defaultSettings, toSessionUpdate, wireSession, type RealtimeSettings, type VadDefaults } from './settings.ts';

export const REALTIME_PATH = '/v1/realtime';

/** The Realtime API refuses to commit less than this much audio. */
const MIN_COMMIT_MS = 100;
const BYTES_PER_PCM16_SAMPLE = 2;

/** One connection: its settings, the session under it, and what the protocol needs remembered between events. */
interface Connection {
  session: Session;
  channel: RealtimeChannel;
  codec: RealtimeCodec;
  settings: RealtimeSettings;
  vad: VadDefaults;
}

/**
 * The OpenAI Realtime API at `/v1/realtime` over the same session core as protocol v1: JSON events both ways,
 * audio as base64 inside them. `?model=` is accepted and reported back; `?lang=` sets the recogniser's language.
 * Needs @fastify/websocket registered first.
 */
export function realtime(deps: TransportDeps, vad: VadDefaults) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(REALTIME_PATH, { websocket: true, preValidation: requireKey(deps) }, (socket, request) => {
      const query = (request.query ?? {}) as Record<string, unknown>;
      const model = typeof query.model === 'string' && query.model !== '' ? query.model.slice(0, 200) : 's2s-gateway';
      const lang = typeof query.lang === 'string' && query.lang !== '' ? query.lang.slice(0, 16) : undefined;
      const conn = { settings: defaultSettings(model, vad), vad } as Connection;
      conn.codec = new RealtimeCodec(dialectOf(request.headers, query), () => conn.settings);
      conn.channel = new RealtimeChannel(socket, conn.codec, () => conn.settings);
      try {
        conn.session = deps.openSession(conn.channel, extractParentFromHeaders(request.headers), deps.ownerOf(request));
      } catch (err) {
        const error = GatewayError.from(err);
        if (error.recoverable) throw err;
        conn.channel.send(errorEvent(error));
        return conn.channel.close(CLOSE_CODES[error.code as SessionEndCode], error.message);
      }
      // Events are handled one after another: audio sent right after connecting waits for the session to start.
      let queue = start(conn, lang);
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        queue = queue.then(() => receive(conn, data, isBinary));
      });
      socket.on('close', () => void conn.session.end());
    });
  };
}

/** Realtime clients never start a session themselves: one that cannot start (a model still loading) is closed. */
const TRY_AGAIN_LATER = 1013;

async function start(conn: Connection, lang: string | undefined): Promise<void> {
  await conn.session.start({ lang, ...toSessionUpdate(conn.settings) });
  if (conn.channel.started) return sendSession(conn, 'session.created');
  // The error event has said why; a client waiting for session.created would otherwise wait forever.
  conn.channel.close(TRY_AGAIN_LATER, 'the session could not start');
}

function sendSession(conn: Connection, type: 'session.created' | 'session.updated'): void {
  const started = conn.channel.started;
  if (!started) return;
  conn.channel.send({ type, session: wireSession(conn.settings, started.sessionId, started.voice, conn.codec.dialect) });
}

async function receive(conn: Connection, data: Buffer, isBinary: boolean): Promise<void> {
  const { session, channel } = conn;
  if (isBinary) {
    channel.offending = { eventId: undefined };
    session.reject(new GatewayError('invalid_message', 'Realtime events are JSON text frames; send audio in input_audio_buffer.append'));
    return;
  }
  const parsed = parseClientEvent(data);
  if (!parsed.ok) {
    channel.offending = { eventId: parsed.eventId, param: parsed.param };
    session.reject(parsed.error);
    return;
  }
  channel.offending = { eventId: parsed.event.event_id };
  try {
    await dispatch(conn, parsed.event);
  } finally {
    channel.offending = undefined;
  }
}

async function dispatch(conn: Connection, event: ClientEvent): Promise<void> {
  const { session, channel, codec } = conn;
  const refuse = (message: string, param?: string) => {
    channel.offending = { eventId: event.event_id, param };
    session.reject(new GatewayError('invalid_message', message));
  };
  switch (event.type) {
    case 'session.update': {
      conn.settings = applyUpdate(conn.settings, event.session, conn.vad);
      await session.update(toSessionUpdate(conn.settings));
      return sendSession(conn, 'session.updated');
    }
    case 'input_audio_buffer.append': {
      const bytes = Buffer.from(event.audio, 'base64');
      const input = conn.settings.input;
      const pcm = input.encoding === 'pcm16' ? bytes : decodeG711(input.encoding, bytes);
      codec.input.appended((pcm.byteLength / BYTES_PER_PCM16_SAMPLE / input.sampleRateHz) * 1000);
      return session.audio(pcm);
    }
    case 'input_audio_buffer.commit': {
      if (codec.input.uncommittedMs < MIN_COMMIT_MS) {
        return refuse(`buffer too small: expected at least ${MIN_COMMIT_MS} ms of audio, but the buffer has ${Math.round(codec.input.uncommittedMs)} ms`);
      }
      for (const server of codec.input.commit()) channel.send(server);
      return session.audioEnd();
    }
    case 'input_audio_buffer.clear':
      session.clearAudio();
      for (const server of codec.input.clear()) channel.send(server);
      return;
    case 'conversation.item.create':
      return createItem(conn, event.item, refuse);
    case 'conversation.item.truncate': {
      const turnId = codec.turnOf(event.item_id);
      if (!turnId) return refuse(`no assistant message item "${event.item_id}" to truncate`, 'item_id');
      // The memory keeps what was heard of the latest answer; an older one was settled when the next began.
      if (turnId !== codec.lastTurnId) return refuse(`item "${event.item_id}" is not the latest answer; only that one can be truncated`, 'item_id');
      if (event.content_index !== 0) return refuse('assistant messages have one content part: content_index must be 0', 'content_index');
      session.played(turnId, event.audio_end_ms);
      channel.send({ type: 'conversation.item.truncated', item_id: event.item_id, content_index: event.content_index, audio_end_ms: event.audio_end_ms });
      return;
    }
    case 'conversation.item.retrieve': {
      const item = codec.item(event.item_id);
      if (!item) return refuse(`no item "${event.item_id}" in this conversation`, 'item_id');
      channel.send({ type: 'conversation.item.retrieved', item: { ...item } });
      return;
    }
    case 'response.create': {
      const options = event.response ?? {};
      if (options.conversation === 'none' || options.input !== undefined) {
        return refuse('out-of-band responses (conversation "none", input) are not supported: every response joins the conversation', 'response.conversation');
      }
      if (codec.responding) return refuse('the conversation already has an active response; cancel it first');
      const modalities = options.output_modalities ?? options.modalities;
      const speak = modalities ? modalities.includes('audio') : conn.settings.speak;
      codec.responseRequested(speak);
      return session.respond({ instructions: options.instructions, speak });
    }
    case 'response.cancel':
      if (!codec.responding) return refuse('there is no active response to cancel');
      codec.cancelRequested();
      return session.interrupt();
  }
}

async function createItem(conn: Connection, item: ConversationItemInput, refuse: (message: string, param?: string) => void): Promise<void> {
  const { session, channel, codec } = conn;
  const id = item.id ?? newId('item');
  if (item.type === 'function_call_output') {
    if (!(await session.remember({ type: 'tool_output', callId: item.call_id, output: item.output }))) return;
    for (const server of codec.itemCreated({ id, type: 'function_call_output', object: 'realtime.item', status: 'completed', call_id: item.call_id, output: item.output })) {
      channel.send(server);
    }
    return;
  }
  if (item.type !== 'message' || item.role === 'system') {
    return refuse(`only user and assistant messages and function_call_output items can be created, not ${item.type === 'message' ? 'system messages (use instructions)' : item.type}`, 'item');
  }
  const role = item.role;
  const announce = (content: Record<string, unknown>[]) => {
    for (const server of codec.itemCreated({ id, type: 'message', object: 'realtime.item', status: 'completed', role, content })) channel.send(server);
  };
  if (role === 'assistant') {
    // An earlier answer restored by the client: its text, or the transcript of its audio.
    const text = item.content.map((part) => part.text ?? part.transcript ?? '').join('');
    if (!(await session.remember({ type: 'assistant_text', text }))) return;
    return announce([{ type: codec.dialect === 'ga' ? 'output_text' : 'text', text }]);
  }
  if (item.content.every((part) => part.type === 'input_audio')) {
    const audio = Buffer.concat(item.content.map((part) => Buffer.from(part.audio ?? '', 'base64')));
    const input = conn.settings.input;
    const pcm = input.encoding === 'pcm16' ? audio : decodeG711(input.encoding, audio);
    const transcript = await session.rememberSpeech({ encoding: 'pcm16', sampleRateHz: input.sampleRateHz, channels: 1 }, pcm);
    if (transcript === undefined) return;
    announce([{ type: 'input_audio', transcript }]);
    if (conn.settings.transcription) {
      channel.send({ type: 'conversation.item.input_audio_transcription.completed', item_id: id, content_index: 0, transcript });
    }
    return;
  }
  if (item.content.some((part) => part.type !== 'input_text')) {
    return refuse('a user message item holds input_text parts or input_audio parts, not both or others', 'item.content');
  }
  const text = item.content.map((part) => part.text ?? '').join('\n');
  if (!(await session.remember({ type: 'user_text', text }))) return;
  announce(item.content.map((part) => ({ type: 'input_text', text: part.text ?? '' })));
}
