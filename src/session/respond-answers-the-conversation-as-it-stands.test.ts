import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NextTurn, VoiceInputHandlers } from './voice-input.ts';
import { fakeSession, sleep, tokens } from '../../test/support/session-fakes.ts';
import { GatewayMetrics } from '../observability/metrics.ts';
import { SessionTelemetry } from './telemetry.ts';
import { ROOT_CONTEXT } from '@opentelemetry/api';

test('items join the conversation in order; respond answers without new input, with its own instructions, else the session\'s', async () => {
  const { session, sink, agent } = fakeSession();
  await session.start({ instructions: 'Be brief.' });
  await session.remember({ type: 'user_text', text: 'My name is Ada.' });
  await session.remember({ type: 'tool_output', callId: 'call_1', output: '{"ok":true}' });
  await session.respond({ instructions: 'Say hello.' });
  const started = await sink.next('turn_started');
  assert.equal(started.source, 'conversation');
  await sink.next('turn_ended');
  assert.deepEqual(agent.items.map((i) => i.item.type), ['user_text', 'tool_output']);
  assert.equal(agent.turns[0]?.text, undefined);
  assert.equal(agent.turns[0]?.instructions, 'Say hello.', 'a response\'s instructions stand in for the session\'s');
  await session.respond();
  await sink.next('turn_ended', 1);
  assert.equal(agent.turns[1]?.instructions, 'Be brief.');
  await session.end();
});

test('turn_started comes before anything else of its turn', async () => {
  const { session, sink } = fakeSession();
  await session.start({});
  session.text('Hi');
  await sink.next('turn_ended');
  const types = sink.events().map((e) => e.type);
  assert.equal(types[0], 'started');
  assert.equal(types[1], 'turn_started');
  await session.end();
});

test('a text-only answer synthesises nothing, and when interrupted memory keeps the text that was sent', async () => {
  const { session, sink, agent, voice } = fakeSession();
  agent.script = { events: tokens('One two three four five six seven eight.'), tokenDelayMs: 10 };
  await session.start({ speak: false });
  session.text('Count');
  await sink.next('answer_delta', 2);
  session.interrupt();
  await session.end();
  assert.equal(voice.requests.length, 0);
  assert.equal(sink.events('audio_started').length, 0);
  assert.ok(agent.truncations[0]?.heardText.startsWith('One two'), JSON.stringify(agent.truncations));
});

test('a client tool call reaches the sink with its call id and arguments; client tools are offered to the agent', async () => {
  const { session, sink, agent } = fakeSession();
  agent.script = { events: [{ type: 'client_tool_call', callId: 'call_7', name: 'lookup_order', arguments: '{"id":"42"}' }] };
  const tools = [{ name: 'lookup_order', parameters: { type: 'object', properties: { id: { type: 'string' } } } }];
  await session.start({});
  await session.update({ clientTools: tools });
  session.text('Where is order 42?');
  const call = await sink.next('client_tool_call');
  assert.deepEqual({ callId: call.callId, name: call.name, arguments: call.arguments }, { callId: 'call_7', name: 'lookup_order', arguments: '{"id":"42"}' });
  assert.equal((await sink.next('turn_ended')).outcome, 'completed');
  assert.deepEqual(agent.turns[0]?.clientTools, tools);
  await session.end();
});

/** A voice input the test drives by hand: it hands utterances to the session as the real one does. */
function manualVoiceInput() {
  const state: { handlers?: VoiceInputHandlers; turnTaking?: unknown; closed: number; pending: Promise<void> } = { closed: 0, pending: Promise.resolve() };
  const telemetry = new SessionTelemetry(GatewayMetrics.create(), { traceContent: false, parent: ROOT_CONTEXT });
  return {
    state,
    factory: async (_format: unknown, session: { turnTaking?: unknown }, handlers: VoiceInputHandlers) => {
      state.handlers = handlers;
      state.turnTaking = session.turnTaking;
      return {
        push: () => {},
        end: () => {},
        clear: () => {},
        settled: () => state.pending,
        close: () => void (state.closed += 1),
      };
    },
    utterance(text: string, delayMs = 0): void {
      const next: NextTurn = { id: `u-${text}`, text, startedAt: performance.now(), source: 'voice', telemetry: telemetry.turn(`u-${text}`, performance.now()) };
      state.pending = sleep(delayMs).then(() => state.handlers?.utterance(next));
    },
  };
}

test('without autoRespond an utterance only joins the conversation; respond waits for one still being transcribed', async () => {
  const voice = manualVoiceInput();
  const { session, sink, agent } = fakeSession({ createVoiceInput: voice.factory });
  await session.start({ audioIn: { encoding: 'pcm16', sampleRateHz: 24_000, channels: 1 }, turnTaking: { autoRespond: false, endpointing: 'manual' } });
  assert.deepEqual(voice.state.turnTaking, { endpointing: 'manual', autoRespond: false, bargeIn: true });
  voice.utterance('Hello there', 50);
  await session.respond();
  await sink.next('turn_ended');
  assert.deepEqual(agent.items.map((i) => i.item), [{ type: 'user_text', text: 'Hello there' }]);
  assert.equal(agent.turns.length, 1);
  assert.equal(agent.turns[0]?.text, undefined);
  await session.end();
});

test('with bargeIn off, user speech does not interrupt the answer', async () => {
  const voice = manualVoiceInput();
  const { session, sink, agent } = fakeSession({ createVoiceInput: voice.factory });
  agent.script = { events: tokens('A fairly long answer that keeps going for a while.'), tokenDelayMs: 10 };
  await session.start({ audioIn: { encoding: 'pcm16', sampleRateHz: 24_000, channels: 1 }, turnTaking: { bargeIn: false } });
  session.text('Talk');
  await sink.next('answer_delta');
  voice.state.handlers?.bargeIn();
  assert.equal((await sink.next('turn_ended', 0, 3_000)).outcome, 'completed');
  await session.end();
});

test('update with a new audio format or endpointing replaces the voice input; other changes keep it', async () => {
  const voice = manualVoiceInput();
  const { session, sink } = fakeSession({ createVoiceInput: voice.factory });
  await session.start({ audioIn: { encoding: 'pcm16', sampleRateHz: 24_000, channels: 1 } });
  await session.update({ instructions: 'Be kind.' });
  assert.equal(voice.state.closed, 0);
  await session.update({ turnTaking: { endpointing: 'manual' } });
  assert.equal(voice.state.closed, 1);
  await session.update({ audioIn: { encoding: 'pcm16', sampleRateHz: 8_000, channels: 1 }, audioOutSampleRateHz: 8_000 });
  assert.equal(voice.state.closed, 2);
  await session.update({ audioOutSampleRateHz: 4_000 });
  assert.equal(sink.events('error')[0]?.error.code, 'bad_audio_format');
  await session.end();
});

test('rememberSpeech transcribes recorded audio apart from the microphone and adds it to the conversation without answering', async () => {
  const formats: unknown[] = [];
  const { session, sink, agent } = fakeSession({
    createVoiceInput: async (format, voiceSession, handlers) => {
      formats.push({ format, turnTaking: voiceSession.turnTaking });
      let bytes = 0;
      let done = Promise.resolve();
      const telemetry = new SessionTelemetry(GatewayMetrics.create(), { traceContent: false, parent: ROOT_CONTEXT });
      return {
        push: (pcm) => void (bytes += pcm.byteLength),
        end: () => {
          done = Promise.resolve(handlers.utterance({ id: 'rec', text: `${bytes} bytes`, startedAt: 0, source: 'voice', telemetry: telemetry.turn('rec', 0) }));
        },
        clear: () => undefined,
        settled: () => done,
        close: () => undefined,
      };
    },
  });
  await session.start({});
  const format = { encoding: 'pcm16', sampleRateHz: 24_000, channels: 1 };
  assert.equal(await session.rememberSpeech(format, new Uint8Array(480)), '480 bytes');
  assert.deepEqual(formats, [{ format, turnTaking: { endpointing: 'manual', autoRespond: false, bargeIn: false } }]);
  assert.deepEqual(agent.items.map((i) => i.item), [{ type: 'user_text', text: '480 bytes' }]);
  assert.equal(agent.turns.length, 0);
  assert.deepEqual(sink.events().map((e) => e.type), ['started'], 'no transcript or turn events: the caller reports the result');
  await session.end();
});
