// Protocol v1 messages the load tests send, built in one place so a test can check every one of them against
// the gateway's schema (src/protocol/messages.ts). Plain JavaScript: it runs in k6 and in Node.

/**
 * @typedef {{ sampleRateHz: number, channels: number }} AudioIn
 * @typedef {{ type: string, [field: string]: unknown }} ClientMessage
 */

/**
 * @param {{ lang: string, audio?: AudioIn, voice?: string }} options
 * @returns {ClientMessage}
 */
export function sessionStart(options) {
  /** @type {ClientMessage} */
  const message = { type: 'session_start', lang: options.lang };
  if (options.audio) {
    message.audio = { sample_rate: options.audio.sampleRateHz, format: 'pcm16', channels: options.audio.channels };
  }
  if (options.voice) message.voice = options.voice;
  return message;
}

/**
 * @param {string} text
 * @returns {ClientMessage}
 */
export function textInput(text) {
  return { type: 'text_input', text };
}

/** @returns {ClientMessage} */
export function interrupt() {
  return { type: 'interrupt' };
}

/** @returns {ClientMessage} */
export function audioEnd() {
  return { type: 'audio_end' };
}

/**
 * Every builder above, by name: the protocol test checks that scripts send nothing else.
 * @type {Record<string, (...args: any[]) => ClientMessage>}
 */
export const builders = { sessionStart, textInput, interrupt, audioEnd };

/**
 * A server text frame as an object with a `type`, or undefined when it is not one.
 * @param {string} data
 * @returns {{ type: string, [field: string]: any } | undefined}
 */
export function parseServerFrame(data) {
  try {
    const value = JSON.parse(data);
    return value !== null && typeof value === 'object' && typeof value.type === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
