import type { SessionEndCode } from '../../core/errors.ts';

/**
 * The WebSocket close code for each reason a session ends itself (4000-4999 are the application's). A drain says
 * 1012 (Service Restart: connect again, and resume the session on another replica); shedding says 1013 (Try Again
 * Later).
 */
export const CLOSE_CODES = {
  idle_timeout: 4000,
  session_too_long: 4001,
  too_many_sessions: 4002,
  frame_too_large: 1009,
  // Numbered apart from the limits above, so codes added beside them cannot collide.
  handshake_timeout: 4010,
  session_taken_over: 4011,
  key_session_limit: 4012,
  overloaded: 1013,
  shutting_down: 1012,
} as const satisfies Record<SessionEndCode, number>;
