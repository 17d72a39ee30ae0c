/** The client library: protocol v1 for browsers and Node. Browser audio is in `./browser-audio.js`, React in `./react.js`. */
export { S2SClient, S2SError } from './s2s-client.js';
export { Conversation } from './conversation.js';
