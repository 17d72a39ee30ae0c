import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JSDOM } from 'jsdom';
import { createElement, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { useGatewayWithLlm } from '../test/support/gateway.ts';
import { until } from '../test/support/until.ts';
import { useS2S } from './react.js';

// react-dom renders into a document; the client keeps Node's own WebSocket.
const { window } = new JSDOM('<!doctype html><div id="root"></div>');
Object.assign(globalThis, { window, document: window.document });

type Hook = ReturnType<typeof useS2S>;

describe('useS2S, the React hook', () => {
  const env = useGatewayWithLlm({ text: 'Hello from the gateway.' });

  test('connects on mount (StrictMode too), re-renders with the conversation, and closes on unmount', async () => {
    let hook: Hook | undefined;
    const Probe = () => {
      hook = useS2S({ url: env.gateway.wsUrl, session: { lang: 'en' } });
      return createElement('p', null, hook.connection);
    };
    const container = window.document.getElementById('root') as unknown as Element;
    const root = createRoot(container);
    root.render(createElement(StrictMode, null, createElement(Probe)));
    await until('the session to open', () => hook?.connection === 'open');
    assert.ok(hook?.sessionId);
    assert.equal(container.textContent, 'open');

    hook.text('Hi');
    await until('the answer', () => hook?.turns[0]?.status === 'done');
    assert.deepEqual({ user: hook.turns[0]?.user, assistant: hook.turns[0]?.assistant }, { user: 'Hi', assistant: 'Hello from the gateway.' });

    const { client } = hook;
    root.unmount();
    assert.equal(client.state, 'closed');
  });
});
