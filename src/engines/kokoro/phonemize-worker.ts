import { EspeakIpa } from '../piper/espeak-ipa.ts';
import { serveRequests } from '../worker-threads/serve-requests.ts';
import { espeakToKokoro } from './espeak-to-kokoro.ts';
import type { Dialect } from './voice-languages.ts';

/** One sentence's clauses, phonemised by espeak-ng's `espeakVoice` and converted for Kokoro. */
export interface KokoroPhonemizeRequest {
  espeakVoice: string;
  dialect: Dialect;
  clauses: string[];
  /** Queues behind live sessions' requests (see ../piper/thread-pool.ts). */
  batch?: boolean;
}

// espeak-ng's WASM runs synchronously: this thread keeps that work off the gateway's event loop. Requests are
// handled one at a time, so a voice switch never interleaves with a phrase.
const espeak = await EspeakIpa.start();

serveRequests(async ({ espeakVoice, dialect, clauses }: KokoroPhonemizeRequest) => ({
  result: clauses.map((clause) => espeakToKokoro(espeak.phonemes(clause, espeakVoice), dialect)),
}));
