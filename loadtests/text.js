// Typed turns under ramping load (time to first audio), and a barge-in scenario that interrupts answers while
// they play and measures how fast the audio stops.
import { setTimeout, clearTimeout } from 'k6/timers';
import { Trend, Counter } from 'k6/metrics';
import { LANG, TURN_TIMEOUT_MS, checkFrame, gatewayErrors, openGateway, sendMessage, countErrorReply } from './lib/gateway.js';
import { sessionStart, textInput, interrupt } from './lib/messages.js';

const PROMPTS = {
  en: ['What is the status of order 1234?', 'When will it arrive?', 'Thanks, that is all.'],
  zh: ['订单1234的状态是什么？', '什么时候到？', '谢谢，就这些。'],
};
const LONG_PROMPT = {
  en: 'Please explain in detail, in at least ten sentences, how to return an order and get a refund.',
  zh: '请详细说明如何退货和退款，至少说十句话。',
};
const prompts = LANG === 'zh' ? PROMPTS.zh : PROMPTS.en;
const longPrompt = LANG === 'zh' ? LONG_PROMPT.zh : LONG_PROMPT.en;
const TURNS_PER_SESSION = Number(__ENV.LOAD_TURNS || prompts.length);
/** How long the answer plays before the simulated user interrupts it. */
const INTERRUPT_AFTER_MS = Number(__ENV.LOAD_INTERRUPT_AFTER_MS || 500);

/** text_input sent -> first binary audio frame of the answer. */
const timeToFirstAudio = new Trend('time_to_first_audio_ms', true);
/** interrupt sent -> last binary audio frame before response_end {interrupted: true} (0 if none came after). */
const interruptToLastAudio = new Trend('interrupt_to_last_audio_ms', true);
const turnsCompleted = new Counter('s2s_turns_completed');
/** Interrupts whose stop latency was measured; the run fails with none. */
const interruptsMeasured = new Counter('s2s_interrupts_measured');
/** Answers that ended on their own before the interrupt was sent: the scenario measured nothing. */
const interruptsMissed = new Counter('s2s_interrupts_missed');

const vus = Number(__ENV.LOAD_VUS || 10);

export const options = {
  scenarios: {
    text_turns: {
      executor: 'ramping-vus',
      exec: 'textTurns',
      startVUs: 0,
      stages: [
        { duration: __ENV.LOAD_RAMP || '30s', target: vus },
        { duration: __ENV.LOAD_HOLD || '1m', target: vus },
        { duration: '15s', target: 0 },
      ],
      gracefulRampDown: '30s',
    },
    interrupts: {
      executor: 'ramping-vus',
      exec: 'interruptedTurn',
      startVUs: 0,
      stages: [
        { duration: __ENV.LOAD_RAMP || '30s', target: Math.max(1, Math.round(vus / 5)) },
        { duration: __ENV.LOAD_HOLD || '1m', target: Math.max(1, Math.round(vus / 5)) },
        { duration: '15s', target: 0 },
      ],
      gracefulRampDown: '30s',
    },
  },
  thresholds: {
    time_to_first_audio_ms: [`p(95)<${__ENV.LOAD_P95_FIRST_AUDIO_MS || 1200}`],
    interrupt_to_last_audio_ms: [`p(95)<${__ENV.LOAD_P95_INTERRUPT_MS || 250}`],
    s2s_errors: ['count<1'],
    // Every received frame passed its check().
    checks: ['rate==1'],
    // A run that measured nothing fails instead of passing on empty trends.
    s2s_turns_completed: ['count>0'],
    s2s_interrupts_measured: ['count>0'],
  },
};

/** A session of a few typed turns, each sent once the previous answer has ended. */
export function textTurns() {
  const ws = openGateway();
  let turn = 0;
  /** @type {number | undefined} */ let sentAt;
  let answered = false;
  /** @type {number | undefined} */ let deadline;

  function finish() {
    if (deadline !== undefined) clearTimeout(deadline);
    ws.close();
  }

  function nextTurn() {
    if (deadline !== undefined) clearTimeout(deadline);
    if (turn >= TURNS_PER_SESSION) {
      finish();
      return;
    }
    sendMessage(ws, textInput(prompts[turn % prompts.length] ?? ''));
    turn++;
    sentAt = Date.now();
    answered = false;
    deadline = setTimeout(() => {
      gatewayErrors.add(1, { kind: 'timeout' });
      finish();
    }, TURN_TIMEOUT_MS);
  }

  ws.onopen = () => sendMessage(ws, sessionStart({ lang: LANG }));
  ws.onmessage = (event) => {
    if (event === undefined) return;
    const message = checkFrame(event.data);
    if (typeof event.data !== 'string') {
      if (!answered && sentAt !== undefined) {
        answered = true;
        timeToFirstAudio.add(Date.now() - sentAt);
      }
      return;
    }
    if (message === undefined) {
      gatewayErrors.add(1, { kind: 'bad_frame' });
    } else if (message.type === 'session_started') {
      nextTurn();
    } else if (message.type === 'response_end') {
      if (answered) turnsCompleted.add(1);
      else gatewayErrors.add(1, { kind: 'no_audio' });
      nextTurn();
    } else if (message.type === 'error' && countErrorReply(message)) {
      finish();
    }
  };
  ws.onclose = () => {
    if (deadline !== undefined) clearTimeout(deadline);
  };
}

/** Asks for a long answer and interrupts it `INTERRUPT_AFTER_MS` after its audio starts. */
export function interruptedTurn() {
  const ws = openGateway();
  /** @type {number | undefined} */ let interruptAt;
  /** @type {number | undefined} */ let lastAudioAt;
  /** @type {number | undefined} */ let interruptTimer;
  /** @type {number | undefined} */ let deadline;

  function finish() {
    if (interruptTimer !== undefined) clearTimeout(interruptTimer);
    if (deadline !== undefined) clearTimeout(deadline);
    ws.close();
  }

  ws.onopen = () => sendMessage(ws, sessionStart({ lang: LANG }));
  ws.onmessage = (event) => {
    if (event === undefined) return;
    const message = checkFrame(event.data);
    if (typeof event.data !== 'string') {
      lastAudioAt = Date.now();
      if (interruptTimer === undefined) {
        interruptTimer = setTimeout(() => {
          sendMessage(ws, interrupt());
          interruptAt = Date.now();
        }, INTERRUPT_AFTER_MS);
      }
      return;
    }
    if (message === undefined) {
      gatewayErrors.add(1, { kind: 'bad_frame' });
    } else if (message.type === 'session_started') {
      sendMessage(ws, textInput(longPrompt));
      deadline = setTimeout(() => {
        gatewayErrors.add(1, { kind: 'timeout' });
        finish();
      }, TURN_TIMEOUT_MS);
    } else if (message.type === 'response_end') {
      if (message.interrupted === true && interruptAt !== undefined) {
        interruptToLastAudio.add(Math.max(0, (lastAudioAt ?? interruptAt) - interruptAt));
        interruptsMeasured.add(1);
        turnsCompleted.add(1);
      } else {
        interruptsMissed.add(1);
      }
      finish();
    } else if (message.type === 'error' && countErrorReply(message)) {
      finish();
    }
  };
  ws.onclose = () => {
    if (interruptTimer !== undefined) clearTimeout(interruptTimer);
    if (deadline !== undefined) clearTimeout(deadline);
  };
}
