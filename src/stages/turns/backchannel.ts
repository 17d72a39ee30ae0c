/**
 * Whether speech heard while the assistant talks is only a backchannel (an acknowledgement that asks for nothing:
 * "uh-huh", "yeah", "right", "嗯", "对") or nothing intelligible, rather than an interruption. Rule: after removing
 * punctuation, every word is an acknowledgement and there are at most MAX_WORDS of them; anything else ("wait,
 * stop", "no", "what about Friday") interrupts.
 */
const EN_ACKS = new Set([
  'uh-huh', 'uhhuh', 'uh', 'huh', 'mm-hmm', 'mmhmm', 'mhm', 'mm', 'hm', 'hmm', 'mmm', 'um', 'ah', 'oh', 'ooh',
  'yeah', 'yea', 'yes', 'yep', 'yup', 'ok', 'okay', 'right', 'sure', 'alright', 'cool', 'nice', 'wow', 'great',
  'gotcha', 'true', 'indeed', 'exactly',
]);
const EN_ACK_PHRASES = /\b(?:i see|got it)\b/g;
/** Chinese acknowledgements are single characters, doubled or combined: "嗯嗯", "对对对", "好的", "是的". */
const ZH_ACK_CHARS = new Set([...'嗯对好是哦噢喔啊呃额恩的呀吧嘛行']);
const MAX_WORDS = 4;

export function isBackchannel(text: string): boolean {
  const cleaned = text.toLowerCase().replace(/[^\p{L}\p{N}\s'-]+/gu, ' ').replace(/\s+/g, ' ').trim();
  if (cleaned === '') return true;
  if (/^[\p{sc=Han}\s]+$/u.test(cleaned)) {
    const chars = [...cleaned.replace(/\s/g, '')];
    return chars.length <= MAX_WORDS * 2 && chars.every((c) => ZH_ACK_CHARS.has(c));
  }
  if (cleaned.split(' ').length > MAX_WORDS) return false;
  const words = cleaned.replace(EN_ACK_PHRASES, ' ').split(' ').filter((w) => w !== '');
  return words.every((w) => EN_ACKS.has(w));
}
