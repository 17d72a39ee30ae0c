import { spawn } from 'node:child_process';
import { GatewayError } from '../../core/errors.ts';
import { abortError, type ClausePhonemizer } from './clause-phonemizer.ts';

const MANDARIN_AS_PINYIN = 'cmn-latn-pinyin';

/** Clauses waiting for a free process slot; past it a request fails loudly (`tts_failed`). */
const MAX_WAITING_CLAUSES = 256;

/**
 * The system's `espeak-ng` program (Debian package `espeak-ng`), one short process per clause, for the espeak
 * voices the `phonemizer` package does not bundle (it carries only English). A child process never blocks the
 * event loop; `concurrency` bounds how many run at once, and the rest wait in line.
 */
export class EspeakCliPhonemizer implements ClausePhonemizer {
  readonly backend = 'espeak-ng';
  readonly #language: string;
  readonly #waiting: (() => void)[] = [];
  #free: number;
  readonly #closed = new AbortController();

  private constructor(language: string, concurrency: number) {
    this.#language = language;
    this.#free = concurrency;
  }

  /** Phonemises one word to prove that `espeak-ng` is installed and has `language`. */
  static async start(language: string, concurrency: number, signal?: AbortSignal): Promise<EspeakCliPhonemizer> {
    const phonemizer = new EspeakCliPhonemizer(language, concurrency);
    await phonemizer.phonemize(['a'], signal ?? new AbortController().signal);
    if (language !== 'cmn') return phonemizer;
    // Some espeak-ng releases (Debian 12's 1.51) turn Hanzi into pinyin under `cmn` and then read the pinyin as
    // English, "(en)nɪ5θɹˈiː5…": Mandarin voices would speak nonsense. `cmn-latn-pinyin` reads it as Mandarin.
    const [probe = ''] = await phonemizer.phonemize(['你好'], signal ?? new AbortController().signal);
    return probe.includes('(en)') ? new EspeakCliPhonemizer(MANDARIN_AS_PINYIN, concurrency) : phonemizer;
  }

  async phonemize(clauses: readonly string[], signal: AbortSignal): Promise<string[]> {
    const ipa: string[] = [];
    for (const clause of clauses) {
      await this.#acquire(signal);
      try {
        ipa.push(await this.#run(clause, AbortSignal.any([signal, this.#closed.signal])));
      } finally {
        this.#release();
      }
    }
    return ipa;
  }

  async close(): Promise<void> {
    this.#closed.abort();
  }

  #run(text: string, signal: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      // Text goes through stdin so that a clause starting with "-" is never read as an option.
      const child = spawn('espeak-ng', ['-q', '--ipa', '-b', '1', '-v', this.#language, '--stdin'], { signal });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('error', (err) => {
        if (signal.aborted) reject(abortError(signal));
        else reject(new GatewayError('tts_failed', 'espeak-ng could not be started', { cause: err }));
      });
      child.on('close', (code) => {
        if (signal.aborted) return reject(abortError(signal));
        if (code !== 0) {
          const message = Buffer.concat(stderr).toString('utf8').trim() || `exit code ${String(code)}`;
          return reject(new GatewayError('tts_failed', 'espeak-ng failed', { cause: new Error(message) }));
        }
        const lines = Buffer.concat(stdout).toString('utf8').split('\n');
        resolve(lines.map((line) => line.trim()).filter((line) => line.length > 0).join(' '));
      });
      child.stdin.on('error', () => {}); // an early exit shows up in 'close' with its reason
      child.stdin.end(text);
    });
  }

  #acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    if (this.#free > 0) {
      this.#free -= 1;
      return Promise.resolve();
    }
    if (this.#waiting.length >= MAX_WAITING_CLAUSES) {
      return Promise.reject(new GatewayError('tts_failed', 'too many clauses waiting for espeak-ng'));
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#waiting.indexOf(grant);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(abortError(signal));
      };
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(grant);
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#free += 1;
    else next();
  }
}
