// Voice sessions under ramping load: each VU streams a spoken question from a WAV file at real-time pace, then
// microphone silence, and measures how long the gateway takes to answer with audio.
import { setInterval, clearInterval, setTimeout, clearTimeout } from 'k6/timers';
import { Trend, Counter } from 'k6/metrics';
import { LANG, TURN_TIMEOUT_MS, checkFrame, gatewayErrors, openGateway, sendMessage, countErrorReply } from './lib/gateway.js';
import { sessionStart } from './lib/messages.js';
import { parseWav, pcmFrames, frameBytes, speechEndMs } from './lib/wav.js';

const FRAME_MS = 20;
// k6 resolves relative paths from this script's folder: this default is test/fixtures of the project.
const wav = parseWav(open(__ENV.LOAD_WAV || '../test/fixtures/order-status-en-16k.wav', 'b'));
const speechFrames = pcmFrames(wav, FRAME_MS);
const silenceFrame = new ArrayBuffer(frameBytes(wav, FRAME_MS));
const speechEnd = Number(__ENV.LOAD_SPEECH_END_MS || speechEndMs(wav, FRAME_MS));

/** End of speech in the file (as sent) -> first binary audio frame of the answer. */
const voiceToVoice = new Trend('voice_to_voice_ms', true);
/** The gateway's own end-of-speech (`vad` speech_end) -> first binary audio frame. */
const timeToFirstAudio = new Trend('time_to_first_audio_ms', true);
const turnsCompleted = new Counter('s2s_turns_completed');

export const options = {
  scenarios: {
    voice: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: __ENV.LOAD_RAMP || '30s', target: Number(__ENV.LOAD_VUS || 10) },
        { duration: __ENV.LOAD_HOLD || '1m', target: Number(__ENV.LOAD_VUS || 10) },
        { duration: '15s', target: 0 },
      ],
      gracefulRampDown: '30s',
    },
  },
  thresholds: {
    voice_to_voice_ms: [`p(95)<${__ENV.LOAD_P95_VOICE_TO_VOICE_MS || 1500}`],
    time_to_first_audio_ms: [`p(95)<${__ENV.LOAD_P95_FIRST_AUDIO_MS || 1200}`],
    s2s_errors: ['count<1'],
    // Every received frame passed its check().
    checks: ['rate==1'],
    // A run that measured nothing fails instead of passing on empty trends.
    s2s_turns_completed: ['count>0'],
  },
};

export default function () {
  const ws = openGateway();
  /** @type {number | undefined} */ let streamStartedAt;
  /** @type {number | undefined} */ let speechEndSentAt;
  /** @type {number | undefined} */ let gatewaySpeechEndAt;
  let answered = false;
  let framesSent = 0;
  /** @type {number | undefined} */ let pump;
  /** @type {number | undefined} */ let deadline;

  function finish() {
    if (pump !== undefined) clearInterval(pump);
    if (deadline !== undefined) clearTimeout(deadline);
    ws.close();
  }

  // Sends every frame that is due by now, so timer jitter does not slow the stream below real time.
  function sendDueFrames() {
    const due = Math.floor((Date.now() - (streamStartedAt ?? Date.now())) / FRAME_MS) + 1;
    while (framesSent < due) {
      ws.send(speechFrames[framesSent] ?? silenceFrame);
      framesSent++;
      if (speechEndSentAt === undefined && framesSent * FRAME_MS >= speechEnd) speechEndSentAt = Date.now();
    }
  }

  ws.onopen = () => {
    sendMessage(ws, sessionStart({ lang: LANG, audio: { sampleRateHz: wav.sampleRateHz, channels: wav.channels } }));
  };

  ws.onmessage = (event) => {
    if (event === undefined) return;
    const message = checkFrame(event.data);
    if (typeof event.data !== 'string') {
      if (!answered && speechEndSentAt !== undefined) {
        answered = true;
        const now = Date.now();
        voiceToVoice.add(now - speechEndSentAt);
        if (gatewaySpeechEndAt !== undefined) timeToFirstAudio.add(now - gatewaySpeechEndAt);
      }
      return;
    }
    if (message === undefined) {
      gatewayErrors.add(1, { kind: 'bad_frame' });
      return;
    }
    if (message.type === 'session_started') {
      streamStartedAt = Date.now();
      pump = setInterval(sendDueFrames, FRAME_MS);
      deadline = setTimeout(() => {
        gatewayErrors.add(1, { kind: 'timeout' });
        finish();
      }, speechEnd + TURN_TIMEOUT_MS);
    } else if (message.type === 'vad' && message.state === 'speech_end') {
      gatewaySpeechEndAt = Date.now();
    } else if (message.type === 'response_end') {
      if (answered) turnsCompleted.add(1);
      else gatewayErrors.add(1, { kind: 'no_audio' });
      finish();
    } else if (message.type === 'error' && countErrorReply(message)) {
      finish();
    }
  };

  ws.onclose = () => {
    if (pump !== undefined) clearInterval(pump);
    if (deadline !== undefined) clearTimeout(deadline);
  };
}
