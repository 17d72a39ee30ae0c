import { phonemize } from 'phonemizer';
import { serveRequests } from '../shared/serve-requests.ts';

/** One sentence's clauses, phonemised in `language` (an espeak voice). */
export interface PhonemizeRequest {
  language: string;
  clauses: string[];
}

// The `phonemizer` package runs espeak-ng's WASM synchronously: this thread exists so that work never stalls the
// gateway's event loop. Requests are handled one at a time, so a voice switch never interleaves with a phrase.
serveRequests(async (request: PhonemizeRequest) => {
  const ipa: string[] = [];
  for (const clause of request.clauses) {
    // espeak may split one clause further (long clauses); those parts carry no punctuation of their own.
    ipa.push((await phonemize(clause, request.language)).join(' '));
  }
  return { result: ipa };
});
