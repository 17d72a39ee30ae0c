/** One turn of the conversation on the voice page: what was said, the answer, tool calls and timings. */
/** @import { Turn } from '../client/conversation.js' */

/**
 * Shows `turn` as the `index`th item of `list`, made on first sight and updated in place after.
 * @param {HTMLElement} list
 * @param {Turn} turn
 * @param {number} index
 */
export function renderTurn(list, turn, index) {
  const li = /** @type {HTMLLIElement | undefined} */ (list.children[index]) ?? list.appendChild(newTurnElement());
  li.dataset.turnId = turn.id;
  li.dataset.status = turn.status;
  const [user, assistant, tools, timings] = /** @type {HTMLElement[]} */ ([...li.children]);
  if (!user || !assistant || !tools || !timings) return;
  user.textContent = turn.user || turn.partial || '…';
  user.classList.toggle('partial', !turn.user);
  assistant.textContent = turn.assistant + (turn.status === 'interrupted' ? ' —' : '');
  tools.replaceChildren(...turn.toolCalls.map(({ name, args }) => Object.assign(document.createElement('span'), { className: 'tool', textContent: name, title: JSON.stringify(args) })));
  if (turn.timings) timings.replaceChildren(...timingRows(turn.timings, turn.playedMs));
  if (turn.playedMs !== undefined) li.dataset.playedMs = String(turn.playedMs);
}

function newTurnElement() {
  const li = document.createElement('li');
  li.className = 'turn';
  for (const name of ['user', 'assistant', 'tools', 'timings']) li.appendChild(Object.assign(document.createElement('div'), { className: name }));
  return li;
}

/**
 * The turn as a waterfall, in ms from its start (the end of the user's speech, or the typed text's arrival): each
 * stage a bar where it ran, headed by voice-to-voice (or first audio on a typed turn).
 * @param {Record<string, number>} t `response_end.timings`
 * @returns {Array<[label: string, fromMs: number, toMs: number]>}
 */
function stages(t) {
  const heard = (t.vad_endpoint_ms ?? 0) + (t.asr_ms ?? 0);
  /** @type {Array<[string, number, number | undefined]>} */
  const all = [
    ['end of speech', 0, t.vad_endpoint_ms],
    ['transcription', t.vad_endpoint_ms ?? 0, t.asr_ms === undefined ? undefined : heard],
    ['LLM first token', heard, t.llm_first_token_ms],
    ['first phrase', t.llm_first_token_ms ?? heard, t.llm_first_phrase_ms],
    ['synthesis', t.first_audio_ms === undefined || t.tts_first_phrase_ms === undefined ? 0 : t.first_audio_ms - t.tts_first_phrase_ms, t.tts_first_phrase_ms === undefined ? undefined : t.first_audio_ms],
  ];
  return all.flatMap(([label, from, to]) => (to === undefined ? [] : [[label, from, to]]));
}

/**
 * @param {Record<string, number>} timings
 * @param {number | undefined} playedMs
 */
function timingRows(timings, playedMs) {
  const headline = timings.voice_to_voice_ms ?? timings.first_audio_ms;
  const rows = stages(timings);
  const scale = Math.max(1, headline ?? 0, ...rows.map(([, , to]) => to));
  const summary = document.createElement('div');
  summary.className = 'summary';
  summary.textContent = [
    headline !== undefined ? `${timings.voice_to_voice_ms !== undefined ? 'voice-to-voice' : 'first audio'} ${Math.round(headline)} ms` : 'no audio',
    playedMs !== undefined ? `heard ${(playedMs / 1000).toFixed(1)} s` : '',
  ].filter(Boolean).join(' · ');
  return [
    summary,
    ...rows.map(([label, from, to]) => {
      const row = document.createElement('div');
      row.className = 'stage';
      const track = Object.assign(document.createElement('span'), { className: 'track' });
      const bar = track.appendChild(Object.assign(document.createElement('span'), { className: 'bar' }));
      bar.style.marginLeft = `${((from / scale) * 100).toFixed(1)}%`;
      bar.style.width = `${(((to - from) / scale) * 100).toFixed(1)}%`;
      row.append(Object.assign(document.createElement('span'), { className: 'label', textContent: label }), track, Object.assign(document.createElement('span'), { className: 'ms', textContent: `${Math.round(to - from)} ms` }));
      return row;
    }),
  ];
}

