/** `useS2S`: the client library as a React hook. Only React users load this file. */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { Conversation } from './conversation.js';
import { S2SClient } from './s2s-client.js';
/** @import { S2SClientOptions } from './types.d.ts' */

/**
 * A session for as long as the component is mounted: connects on mount, closes on unmount, and re-renders on every
 * change of the conversation (connection state, transcripts, the streaming answer, timings, errors). Audio is
 * the caller's: pass `client` to `Microphone`/`Player` and `attachAudio` from `./browser-audio.js`.
 * @param {S2SClientOptions} options read on mount; remount (a React `key`) to change the URL or session
 */
export function useS2S(options) {
  const [{ client, conversation }] = useState(() => {
    const created = new S2SClient(options);
    return { client: created, conversation: new Conversation(created) };
  });
  const state = useSyncExternalStore(conversation.subscribe, conversation.snapshot, conversation.snapshot);
  useEffect(() => {
    client.connect().catch(() => {
      // The conversation's state says why (closed with its code, or the error the gateway sent).
    });
    // Only the connection ends: React's StrictMode mounts twice, and the second mount reconnects the same client.
    return () => client.close();
  }, [client]);
  return {
    ...state,
    client,
    text: (/** @type {string} */ text) => client.text(text),
    interrupt: () => client.interrupt(),
    startTalking: () => client.startTalking(),
    stopTalking: () => client.stopTalking(),
  };
}
