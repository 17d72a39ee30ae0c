/**
 * Turns a raw phrase of LLM output into the text a TTS voice should read: markdown markup is not spoken, and
 * line breaks become plain spaces.
 */

// At the start of a line: headings, block quotes and bullet markers. Numbered items keep their number.
const LINE_MARKUP = /^[ \t]*(?:#{1,6}(?=\s|$)|>+|[-*+•](?=\s))[ \t]*/u;
const LINK = /\[([^\]\n]*)\]\([^)\s]*\)/gu;
// Emphasis, strikethrough and code markers anywhere. Single underscores stay (snake_case names), and so does
// an asterisk standing alone between spaces (3 * 4).
const INLINE_MARKUP = /\*+(?=\S)|(?<=\S)\*+|`+|~~|_{2,}/gu;

/** `startsLine`: whether the phrase begins at the start of a line of the LLM output. */
export function speakableText(raw: string, startsLine: boolean): string {
  return raw
    .split('\n')
    .map((line, index) => (index > 0 || startsLine ? line.replace(LINE_MARKUP, '') : line))
    .join(' ')
    .replace(LINK, '$1')
    .replace(INLINE_MARKUP, '')
    .replace(/\s+/gu, ' ')
    .trim();
}
