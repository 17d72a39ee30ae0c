// The client library's types, derived from the schemas the gateway validates with (types only: nothing here
// runs, so browsers never load it).
import type { ServerMessage, SessionStart } from '../src/transports/v1/messages.ts';

/** The `session_start` fields a client chooses (the session id is the client's own business). */
export type SessionOptions = Omit<SessionStart, 'type' | 'session_id'>;

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface StateChange {
  state: ConnectionState;
  /** The close code of the connection that ended. */
  code?: number;
  reason?: string;
  /** When the next attempt starts (state `reconnecting`). */
  retryInMs?: number;
}

export interface AudioChunk {
  /** The answer it belongs to. */
  turnId: string;
  /** Mono PCM16 samples. */
  pcm: Int16Array;
  sampleRateHz: number;
}

export type TalkMode = 'hands-free' | 'push-to-talk';

/** Every event `S2SClient.on` offers: each server message by its type, and the client's own. */
export type S2SEvents = { [T in ServerMessage['type']]: Extract<ServerMessage, { type: T }> } & {
  audio: AudioChunk;
  state: StateChange;
  message: ServerMessage;
  /** This client interrupted: stop playing now. */
  interrupt: { turnId: string | undefined };
  /** What this client told the gateway: how much of an answer was played, and a typed turn. */
  played: { turnId: string; playedMs: number };
  typed: { text: string };
};

export interface ReconnectOptions {
  /** Attempts after a connection is lost before giving up (default 8; 0: never). */
  retries?: number;
  /** The first delay (default 250). */
  minDelayMs?: number;
  /** The longest delay (default 8000). */
  maxDelayMs?: number;
}

export interface S2SClientOptions {
  /**
   * The WebSocket URL, e.g. ws://127.0.0.1:8080/ws/s2s; or several gateways sharing their session store (no load
   * balancer in front): each reconnection goes to the next, and resumes the session there.
   */
  url: string | readonly string[];
  /**
   * A client token (from `POST /v1/client-tokens`), sent as `?token=` (browsers cannot set headers on a WebSocket).
   * From Node an API key works too; a browser page sending a key in the URL is refused.
   */
  token?: string | undefined;
  /** Fetches a fresh client token before every connection attempt (client tokens expire); used instead of `token`. */
  getToken?: (() => Promise<string>) | undefined;
  /** The `session_start` fields. */
  session?: SessionOptions;
  /** Resume this session (memory, language, voice) instead of starting a new one. */
  sessionId?: string;
  /** The session's latest resume secret: needed to resume it with another credential than the one that created it. */
  resumeSecret?: string;
  /** Hands-free (default: the gateway's VAD finds the turns) or push-to-talk. */
  mode?: TalkMode;
  reconnect?: ReconnectOptions;
  /** Ping interval while connected (default 30000; 0: never). */
  keepAliveMs?: number;
}
