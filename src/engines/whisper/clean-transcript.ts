/** Whisper's non-speech annotations: `[BLANK_AUDIO]`, `[ Silence ]`, `(music)`, `(wind blowing)`, full-width too. */
const ANNOTATION = /\[[^[\]]*\]|\([^()]*\)|（[^（）]*）|【[^【】]*】/g;
const MUSIC_SYMBOLS = /[♪♫♬♩🎵🎶]/gu;
const SPEECH = /[\p{L}\p{N}]/u;

/**
 * Turns whisper's output into what was said: drops bracketed and parenthesised annotations (innermost first, so
 * nested ones go too) and music symbols, collapses whitespace and trims. A transcript left with no letter or
 * digit (only markers, or the full stop after one) becomes ''.
 */
export function cleanTranscript(raw: string): string {
  let text = raw;
  for (let previous = ''; previous !== text; ) {
    previous = text;
    text = text.replace(ANNOTATION, ' ');
  }
  text = text.replace(MUSIC_SYMBOLS, ' ').replace(/\s+/g, ' ').trim();
  return SPEECH.test(text) ? text : '';
}
