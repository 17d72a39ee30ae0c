import type { Config } from '../config/schema.ts';

export interface LlmStatus {
  reachable: boolean;
  url: string;
  checkedAt?: string;
  error?: string;
}

const PROBE_TIMEOUT_MS = 3_000;

/**
 * Keeps `/ready` honest about the LLM server without putting a request on the readiness path: probes
 * `GET {baseUrl}/models` on an interval and reports the last answer.
 */
export class LlmProbe {
  readonly #llm: Config['llm'];
  #status: LlmStatus;
  #timer: NodeJS.Timeout | undefined;

  constructor(llm: Config['llm']) {
    this.#llm = llm;
    this.#status = { reachable: false, url: llm.baseUrl, error: 'not checked yet' };
  }

  get status(): LlmStatus {
    return this.#status;
  }

  start(): void {
    void this.check();
    this.#timer = setInterval(() => void this.check(), this.#llm.probeIntervalMs);
    this.#timer.unref();
  }

  async check(): Promise<LlmStatus> {
    const url = `${this.#llm.baseUrl.replace(/\/$/, '')}/models`;
    const checkedAt = new Date().toISOString();
    try {
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${this.#llm.apiKey}` },
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      await response.body?.cancel();
      this.#status = response.ok
        ? { reachable: true, url: this.#llm.baseUrl, checkedAt }
        : { reachable: false, url: this.#llm.baseUrl, checkedAt, error: `HTTP ${response.status}` };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      this.#status = { reachable: false, url: this.#llm.baseUrl, checkedAt, error: cause ?? (err as Error).message };
    }
    return this.#status;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
