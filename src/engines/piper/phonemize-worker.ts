import { EspeakIpa } from './espeak-ipa.ts';
import { serveRequests } from '../worker-threads/serve-requests.ts';

/** One sentence's clauses, phonemised in `language` (an espeak voice). */
export interface PhonemizeRequest {
  /** Queues behind live sessions' requests (see thread-pool.ts). */
  batch?: boolean;
  language: string;
  clauses: string[];
}

// espeak-ng's WASM runs synchronously: this thread exists so that work never stalls the gateway's event loop.
// Requests are handled one at a time, so a voice switch never interleaves with a phrase.
const espeak = await EspeakIpa.start();

serveRequests(async (request: PhonemizeRequest) => ({ result: request.clauses.map((clause) => espeak.clause(clause, request.language)) }));
