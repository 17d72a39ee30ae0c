/**
 * The voice page: the client library with a microphone, a speaker and the conversation on screen. Served by the
 * gateway at `/` as it is; `?token=` when the gateway has API keys (a client token, or an API key that the page
 * trades for client tokens and takes out of the address bar), `?mode=push-to-talk`, `?voice=`, `?lang=`.
 */
import { Conversation, S2SClient } from '../client/index.js';
import { Microphone, Player, attachAudio, createAudioContext } from '../client/browser-audio.js';
import { renderTurn } from './turn-view.js';
/** @import { ConversationState } from '../client/conversation.js' */
/** @import { TalkMode } from '../client/types.d.ts' */
/** @import { VoicesResponse } from '../src/transports/web/voices-route.ts' */

const params = new URLSearchParams(location.search);
const CLIENT_TOKEN_PREFIX = 's2st_';
const given = params.get('token') ?? undefined;
// A long-lived key leaves the address bar (and history) at once; the page keeps it only to mint client tokens.
const apiKey = given && !given.startsWith(CLIENT_TOKEN_PREFIX) ? given : undefined;
if (apiKey) {
  params.delete('token');
  history.replaceState(null, '', `${location.pathname}${params.size > 0 ? `?${params}` : ''}${location.hash}`);
}

/** A credential for the next connection: the client token given, or a fresh one minted with the key. */
async function clientToken() {
  if (!apiKey) return given ?? '';
  const response = await fetch(gatewayUrl('/v1/client-tokens'), { method: 'POST', headers: { authorization: `Bearer ${apiKey}` } });
  if (!response.ok) throw new Error(`POST /v1/client-tokens answered ${response.status}`);
  /** @type {{ token: string }} */
  const minted = await response.json();
  return minted.token;
}

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @returns {T}
 */
const byId = (id) => /** @type {T} */ (document.getElementById(id));
const ui = {
  connection: byId('connection'),
  start: /** @type {HTMLButtonElement} */ (byId('start')),
  talk: /** @type {HTMLButtonElement} */ (byId('talk')),
  interrupt: /** @type {HTMLButtonElement} */ (byId('interrupt')),
  meter: byId('meter'),
  level: byId('level'),
  voice: /** @type {HTMLSelectElement} */ (byId('voice')),
  lang: /** @type {HTMLSelectElement} */ (byId('lang')),
  error: byId('error'),
  turns: byId('turns'),
  hint: byId('hint'),
  typed: /** @type {HTMLFormElement} */ (byId('typed')),
  text: /** @type {HTMLInputElement} */ (byId('text')),
};

/** What each error code means to the person in front of the page. */
const ERROR_TEXT = /** @type {Record<string, string>} */ ({
  model_not_ready: 'The gateway is still loading its speech models. Wait a moment and try again.',
  llm_unavailable: 'The language model server cannot be reached. Check that it runs at the gateway\'s S2S_LLM_BASE_URL.',
  llm_timeout: 'The language model took too long to answer. Try again.',
  asr_busy: 'The gateway is busy transcribing for others. Say it again in a moment.',
  asr_failed: 'Your speech could not be transcribed. Say it again.',
  tts_failed: 'The answer could not be spoken.',
  agent_failed: 'The agent failed while answering.',
  audio_overflow: 'Audio arrived faster than the gateway could take it; some was dropped.',
  text_too_long: 'That message is too long.',
});

/** The gateway drains to restart: the client library resumes the session at once, on another replica if any. */
const RESTART_CLOSE_CODE = 1012;

/** What a closed WebSocket's code means here. */
const CLOSE_TEXT = /** @type {Record<number, string>} */ ({
  1000: 'The session ended.',
  1001: 'The gateway is shutting down.',
  1006: 'The connection to the gateway was lost.',
  1009: 'A message was too large for the gateway.',
  1012: 'The gateway restarted.',
  1013: 'The gateway is overloaded. Try again in a moment.',
  4000: 'The session was closed after a long silence.',
  4001: 'The session reached its maximum length. Press Start for a new one.',
  4002: 'The gateway has too many sessions open.',
  4010: 'The session did not start in time.',
  4011: 'This conversation was opened in another tab or window.',
  4012: 'This API key has too many sessions open.',
});

const STATE_TEXT = { idle: 'not connected', connecting: 'connecting…', open: 'connected', reconnecting: 'reconnecting…', closed: 'disconnected' };

/** @type {{ client?: S2SClient, conversation?: Conversation, context?: AudioContext, microphone?: Microphone, player?: Player }} */
const session = {};
// For a look from the browser's console (and the page's own tests): the live client, microphone and player.
Object.assign(window, { s2s: session });

/** A problem of the page itself (no microphone): said again whenever nothing newer is to be said. */
let pageProblem = '';

/** @param {string} message */
function showPageProblem(message) {
  pageProblem = message;
  showError(message);
}

/** @param {string} message */
function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = false;
}

/** @param {string} path */
function gatewayUrl(path, protocol = location.protocol) {
  const url = new URL(path, location.href);
  url.protocol = protocol;
  return url;
}

async function loadVoices() {
  const credential = apiKey ?? given;
  const response = await fetch(gatewayUrl('/v1/voices'), credential ? { headers: { authorization: `Bearer ${credential}` } } : {});
  if (response.status === 401) {
    showError('This gateway needs an API key: open this page as /?token=YOUR_KEY.');
    ui.start.disabled = true;
    return;
  }
  if (!response.ok) throw new Error(`GET /v1/voices answered ${response.status}`);
  /** @type {VoicesResponse} */
  const catalog = await response.json();
  for (const voice of catalog.voices) ui.voice.add(new Option(voice.name, voice.name, false, voice.name === (params.get('voice') ?? catalog.default_voice)));
  for (const lang of catalog.languages) ui.lang.add(new Option(lang === 'auto' ? 'detect (auto)' : lang, lang, false, lang === (params.get('lang') ?? catalog.languages[1])));
}

/** @returns {TalkMode} */
function chosenMode() {
  const checked = /** @type {HTMLInputElement | null} */ (document.querySelector('input[name="mode"]:checked'));
  return checked?.value === 'push-to-talk' ? 'push-to-talk' : 'hands-free';
}

async function start() {
  ui.start.disabled = true;
  ui.error.hidden = true;
  pageProblem = '';
  // Made in the click, so the browser lets it play; the microphone is captured at its rate.
  const context = createAudioContext();
  const client = new S2SClient({
    url: gatewayUrl('/ws/s2s', location.protocol === 'https:' ? 'wss:' : 'ws:').href,
    ...(given && { getToken: clientToken }),
    mode: chosenMode(),
    session: {
      lang: ui.lang.value || 'en',
      ...(ui.voice.value && { voice: ui.voice.value }),
      audio: { sample_rate: context.sampleRate, format: 'pcm16', channels: 1 },
      audio_out: { sample_rate: context.sampleRate },
    },
  });
  const conversation = new Conversation(client);
  Object.assign(session, { client, conversation, context });
  conversation.subscribe(() => scheduleRender(conversation.snapshot()));
  try {
    // Connected before the microphone opens, so nothing said while connecting is lost.
    const started = await client.connect();
    const microphone = await openMicrophone(context);
    const player = await Player.create(started.audio_out.sample_rate, { context });
    Object.assign(session, { microphone, player });
    attachAudio(client, { microphone, player });
    ui.hint.hidden = true;
    ui.start.textContent = 'Stop';
    ui.start.disabled = false;
  } catch (err) {
    const code = /** @type {{ code?: string }} */ (err).code;
    showError((code && ERROR_TEXT[code]) ?? (err instanceof Error ? err.message : String(err)));
    stop();
  }
}

/**
 * The microphone, or undefined with the reason on screen: the session goes on for typed turns.
 * @param {AudioContext} context
 */
async function openMicrophone(context) {
  if (!navigator.mediaDevices) {
    showPageProblem('The microphone needs a secure page: open the gateway at http://127.0.0.1 on this machine, or over https (S2S_TLS_CERT and S2S_TLS_KEY). Typed messages still work.');
    return undefined;
  }
  try {
    const microphone = await Microphone.open({ context });
    microphone.onLevel = showLevel;
    return microphone;
  } catch (err) {
    const refused = err instanceof DOMException && (err.name === 'NotAllowedError' || err.name === 'SecurityError');
    showPageProblem(refused
      ? 'The microphone permission was refused. Allow it in the address bar and press Start again; typed messages still work.'
      : `The microphone could not be opened (${err instanceof Error ? err.message : String(err)}). Typed messages still work.`);
    return undefined;
  }
}

function stop() {
  // The conversation first: the close that follows is the page's own, not news for the screen.
  session.conversation?.dispose();
  session.client?.close();
  session.microphone?.stop();
  session.player?.close();
  // The audio device is let go until the next Start.
  void session.context?.close();
  delete session.client;
  delete session.context;
  delete session.microphone;
  delete session.player;
  ui.start.textContent = 'Start';
  ui.start.disabled = false;
  showLevel(0);
}

let shownLevel = 0;
/** @param {number} peak */
function showLevel(peak) {
  // Fast attack, slow release: speech reads as a steady bar rather than flicker.
  shownLevel = Math.max(peak, shownLevel * 0.85);
  ui.level.style.transform = `scaleX(${Math.min(1, Math.sqrt(shownLevel)).toFixed(3)})`;
}

let pending = false;
/** @type {ConversationState | undefined} */
let latest;
/** @param {ConversationState} state */
function scheduleRender(state) {
  latest = state;
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    if (latest) render(latest);
  });
}

/** @param {ConversationState} state */
function render(state) {
  const { connection, lastClose, turns, error } = state;
  ui.connection.dataset.state = connection;
  ui.connection.textContent = connection === 'reconnecting' && lastClose.code === RESTART_CLOSE_CODE
    ? 'the gateway is restarting: resuming the conversation…'
    : connection === 'reconnecting' && lastClose.retryInMs !== undefined
      ? `reconnecting in ${(lastClose.retryInMs / 1000).toFixed(1)} s…`
      : STATE_TEXT[connection];
  if (connection === 'closed' && lastClose.code !== undefined && lastClose.code !== 1000) showError(`${CLOSE_TEXT[lastClose.code] ?? 'The connection closed.'} (close code ${lastClose.code}${lastClose.reason ? `: ${lastClose.reason}` : ''})`);
  else if (error) showError(`${ERROR_TEXT[error.code] ?? error.message} (${error.code})`);
  else if (connection === 'open' && pageProblem) showError(pageProblem);
  else if (connection === 'open') ui.error.hidden = true;
  if (connection === 'closed' && session.client) stop();
  const answering = turns.some((t) => t.status === 'answering') || session.player?.busy === true;
  ui.interrupt.disabled = !answering;
  // The meter lights up while the gateway hears speech, not just sound.
  ui.meter.dataset.speaking = String(state.userSpeaking);
  turns.forEach((turn, index) => renderTurn(ui.turns, turn, index));
  ui.turns.lastElementChild?.scrollIntoView({ block: 'end' });
}

function showMode() {
  const mode = chosenMode();
  ui.talk.hidden = mode !== 'push-to-talk';
  session.client?.setMode(mode);
}

ui.start.addEventListener('click', () => (session.client ? stop() : void start()));
ui.interrupt.addEventListener('click', () => session.client?.interrupt());
for (const radio of document.querySelectorAll('input[name="mode"]')) radio.addEventListener('change', showMode);
const talk = (/** @type {boolean} */ on) => (on ? session.client?.startTalking() : session.client?.stopTalking());
ui.talk.addEventListener('pointerdown', () => talk(true));
ui.talk.addEventListener('pointerup', () => talk(false));
ui.talk.addEventListener('pointerleave', () => talk(false));
addEventListener('keydown', (event) => {
  if (event.code === 'Space' && !event.repeat && chosenMode() === 'push-to-talk' && document.activeElement !== ui.text) {
    event.preventDefault();
    talk(true);
  }
});
addEventListener('keyup', (event) => {
  if (event.code === 'Space' && chosenMode() === 'push-to-talk' && document.activeElement !== ui.text) talk(false);
});
const changeSettings = () => {
  // A session's voice and language are set when it starts: resume it with the new ones, memory kept.
  if (session.client?.state === 'open') void session.client.update({ voice: ui.voice.value, lang: ui.lang.value });
};
ui.voice.addEventListener('change', changeSettings);
ui.lang.addEventListener('change', changeSettings);
ui.typed.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.text.value.trim();
  if (!text || !session.client) return;
  session.client.text(text);
  ui.text.value = '';
});

if (params.get('mode') === 'push-to-talk') {
  const radio = /** @type {HTMLInputElement | null} */ (document.querySelector('input[value="push-to-talk"]'));
  if (radio) radio.checked = true;
}
showMode();
loadVoices().catch((err) => showError(`The gateway could not be reached (${err instanceof Error ? err.message : String(err)}).`));
