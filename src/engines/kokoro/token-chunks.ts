import { MAX_TOKENS, SPACE_ID } from './vocab.ts';

/**
 * A sentence's clause ids cut into model inputs of at most `limit` ids (Kokoro takes 510): whole clauses while they
 * fit, a clause longer than that at its last space that fits, a word longer than that wherever the limit falls.
 * Each chunk is one model run, so the cuts are where the voice may pause.
 */
export function chunkTokens(clauses: readonly (readonly number[])[], limit = MAX_TOKENS): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  const flush = (): void => {
    if (current.length > 0) chunks.push(current);
    current = [];
  };
  for (const clause of clauses) {
    if (current.length + clause.length > limit) flush();
    let rest = [...clause];
    while (rest.length > limit) {
      const space = rest.lastIndexOf(SPACE_ID, limit);
      const cut = space > 0 ? space : limit;
      chunks.push(rest.slice(0, cut));
      rest = rest.slice(space > 0 ? cut + 1 : cut);
    }
    current.push(...rest);
  }
  flush();
  return chunks;
}
