/**
 * Text for people outside the gateway (clients, an open `/ready`): the same words with internal addresses, URLs
 * and file paths replaced, since a dependency's own error message often names its host or a model's path.
 */
export function redactInternals(text: string): string {
  return (
    text
      // URLs first: they hold hosts and paths of their own.
      .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"),]+/gi, '<url>')
      // IPv4 and bracketed IPv6 addresses, with or without a port.
      .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g, '<address>')
      .replace(/\[[0-9a-f:.]+\](?::\d{1,5})?/gi, '<address>')
      // host:port (localhost:5432, db.internal:6379).
      .replace(/\b[a-z0-9-]+(?:\.[a-z0-9-]+)*:\d{2,5}\b/gi, '<address>')
      // Absolute paths (POSIX and Windows).
      .replace(/(^|[\s'"(=])(?:\/[^\s'"():,]+)+/g, '$1<path>')
      .replace(/\b[a-z]:\\[^\s'"():,]+/gi, '<path>')
  );
}
