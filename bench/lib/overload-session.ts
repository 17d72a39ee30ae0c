import WebSocket from 'ws';

/** How one typed turn of a session under overload ended, from the client's side. */
export type TurnFate =
  | { kind: 'answered'; firstAudioMs: number | undefined; totalMs: number }
  /** Refused before the agent ran (`tts_busy`, ...): the LLM was never asked. */
  | { kind: 'refused'; code: string }
  /** Failed once the turn had started, i.e. after the LLM was called: the waste admission exists to prevent. */
  | { kind: 'failed_after_llm'; code: string };

export type SessionFate = { admitted: false; closeCode: number; reason: string } | { admitted: true; turns: TurnFate[]; closeCode?: number };

/** Protocol v1 messages, as far as the classification reads them. */
type Message = { type: string; turn_id?: string; code?: string; interrupted?: boolean };

/**
 * One turn's fate from the messages that answered it. A turn that started (`response_end` or an error naming its
 * turn) reached the agent; an error before that refused it up front.
 */
export function classifyTurn(messages: readonly Message[], sentAt: number, firstAudioAt: number | undefined, endedAt: number): TurnFate {
  const error = messages.find((m) => m.type === 'error');
  const ended = messages.find((m) => m.type === 'response_end');
  if (error && !error.turn_id && !ended) return { kind: 'refused', code: error.code ?? 'unknown' };
  if (error) return { kind: 'failed_after_llm', code: error.code ?? 'unknown' };
  return { kind: 'answered', firstAudioMs: firstAudioAt === undefined ? undefined : firstAudioAt - sentAt, totalMs: endedAt - sentAt };
}

const TURN_TIMEOUT_MS = 60_000;

/**
 * A text session that asks `turns` questions one after another and records each one's fate; a session the
 * gateway refuses is recorded with its close code.
 */
export async function runOverloadSession(wsUrl: string, text: string, turns: number): Promise<SessionFate> {
  const ws = new WebSocket(wsUrl);
  let onMessage: (message: Message | 'audio') => void = () => {};
  ws.on('message', (data: Buffer, isBinary: boolean) => onMessage(isBinary ? 'audio' : (JSON.parse(data.toString()) as Message)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.once('error', () => {});
  const next = (until: (message: Message | 'audio') => boolean) =>
    Promise.race([
      new Promise<'ok'>((resolve) => {
        onMessage = (message) => {
          if (until(message)) resolve('ok');
        };
      }),
      closed.then(() => 'closed' as const),
      new Promise<'timeout'>((resolve) => setTimeout(resolve, TURN_TIMEOUT_MS, 'timeout').unref()),
    ]);

  ws.once('open', () => ws.send(JSON.stringify({ type: 'session_start', lang: 'en' })));
  if ((await next((m) => m !== 'audio' && m.type === 'session_started')) !== 'ok') {
    const { code, reason } = await closed;
    return { admitted: false, closeCode: code, reason };
  }
  const fates: TurnFate[] = [];
  for (let i = 0; i < turns; i++) {
    const messages: Message[] = [];
    let firstAudioAt: number | undefined;
    const sentAt = performance.now();
    ws.send(JSON.stringify({ type: 'text_input', text }));
    const outcome = await next((message) => {
      if (message === 'audio') {
        firstAudioAt ??= performance.now();
        return false;
      }
      messages.push(message);
      // A refusal is an error without a turn; a started turn always ends with response_end.
      return message.type === 'response_end' || (message.type === 'error' && !message.turn_id);
    });
    if (outcome !== 'ok') {
      fates.push({ kind: 'failed_after_llm', code: outcome === 'closed' ? 'connection_closed' : 'no_answer' });
      break;
    }
    fates.push(classifyTurn(messages, sentAt, firstAudioAt, performance.now()));
  }
  ws.close(1000);
  const { code } = await closed;
  return { admitted: true, turns: fates, ...(code !== 1000 && code !== 1005 && { closeCode: code }) };
}
