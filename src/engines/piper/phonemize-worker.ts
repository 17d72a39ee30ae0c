import { parentPort } from 'node:worker_threads';
import { phonemize } from 'phonemizer';

/** One sentence's clauses, phonemised in `language` (an espeak voice). */
export interface PhonemizeRequest {
  id: number;
  language: string;
  clauses: string[];
}

export type PhonemizeReply = { id: number; ipa: string[] } | { id: number; error: string };

// The `phonemizer` package runs espeak-ng's WASM synchronously: this thread exists so that work never stalls the
// gateway's event loop. Requests are handled one at a time, so a voice switch never interleaves with a phrase.
const port = parentPort;
if (port === null) throw new Error('phonemize-worker.ts must run as a worker thread');

async function handle(request: PhonemizeRequest): Promise<PhonemizeReply> {
  try {
    const ipa: string[] = [];
    for (const clause of request.clauses) {
      // espeak may split one clause further (long clauses); those parts carry no punctuation of their own.
      ipa.push((await phonemize(clause, request.language)).join(' '));
    }
    return { id: request.id, ipa };
  } catch (err) {
    return { id: request.id, error: err instanceof Error ? err.message : String(err) };
  }
}

let previous = Promise.resolve();
port.on('message', (request: PhonemizeRequest) => {
  previous = previous.then(async () => port.postMessage(await handle(request)));
});
