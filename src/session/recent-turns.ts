import type { ContextMessage } from '../contracts/turns.ts';
import type { SessionEvent } from './events.ts';

/** A turn detector reads the last few turns: five before the utterance it judges. */
const KEPT_MESSAGES = 5;
/** Models keep the end of their input (LiveKit's its last 128 tokens), so the end of a long answer is what counts. */
const KEPT_CHARS = 400;

/**
 * The session's last turns as the client saw them, for the turn detector: each final transcript, and each answer as
 * far as it was sent. Nothing here is memory: it starts empty with each connection and holds a few hundred bytes.
 */
export class RecentTurns {
  readonly #messages: ContextMessage[] = [];
  readonly #answers = new Map<string, string>();

  observe(event: SessionEvent): void {
    if (event.type === 'transcript_final' && event.text !== '') this.#push({ role: 'user', text: event.text });
    else if (event.type === 'answer_delta') this.#answers.set(event.turnId, ((this.#answers.get(event.turnId) ?? '') + event.text).slice(-KEPT_CHARS));
    else if (event.type === 'turn_ended') {
      const answer = this.#answers.get(event.turnId);
      this.#answers.delete(event.turnId);
      if (answer) this.#push({ role: 'assistant', text: answer });
    }
  }

  messages(): readonly ContextMessage[] {
    return this.#messages;
  }

  #push(message: ContextMessage): void {
    this.#messages.push({ role: message.role, text: message.text.slice(-KEPT_CHARS) });
    if (this.#messages.length > KEPT_MESSAGES) this.#messages.shift();
  }
}
