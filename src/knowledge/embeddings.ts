import { createHash } from 'node:crypto';
import pRetry, { AbortError } from 'p-retry';
import { z } from 'zod';
import type { Config } from '../config/schema.ts';
import { GatewayError } from '../core/errors.ts';

const responseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })).min(1),
});

/** Cached vectors; a voice agent asks the same few questions again and again, and re-ingestion repeats chunks. */
const DEFAULT_CACHE_ENTRIES = 10_000;

/** HTTP statuses worth asking again: the server is busy or briefly broken, not the request wrong. */
const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Client of an OpenAI-compatible `/v1/embeddings` endpoint: texts go in batches of `batchSize`, failed batches are
 * retried (network errors, 429, 5xx), and vectors are cached by a hash of model and text.
 */
export class EmbeddingsClient {
  readonly #config: Config['embeddings'];
  readonly #cache = new Map<string, Float32Array>();
  readonly #cacheEntries: number;

  constructor(config: Config['embeddings'], options: { cacheEntries?: number } = {}) {
    this.#config = config;
    this.#cacheEntries = options.cacheEntries ?? DEFAULT_CACHE_ENTRIES;
  }

  /** The model and vector size asked for: vectors of another identity are not comparable with these. */
  get identity(): string {
    return `${this.#config.model}/${this.#config.dimensions ?? 'native'}`;
  }

  /** One vector per text, in order. Throws GatewayError `knowledge_unavailable`, or the signal's reason. */
  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const keys = texts.map((text) => this.#key(text));
    const missing = [...new Set(keys.filter((key) => !this.#cache.has(key)))];
    const textOf = new Map(keys.map((key, i) => [key, texts[i] ?? '']));
    for (let start = 0; start < missing.length; start += this.#config.batchSize) {
      const batch = missing.slice(start, start + this.#config.batchSize);
      const vectors = await this.#request(batch.map((key) => textOf.get(key) ?? ''), signal);
      batch.forEach((key, i) => this.#remember(key, vectors[i] as Float32Array));
    }
    return keys.map((key) => {
      const vector = this.#cache.get(key) as Float32Array;
      // Least recently used goes first: a hit moves to the end.
      this.#cache.delete(key);
      this.#cache.set(key, vector);
      return vector;
    });
  }

  #key(text: string): string {
    return createHash('sha256').update(`${this.identity}\0`).update(text).digest('base64url');
  }

  #remember(key: string, vector: Float32Array): void {
    this.#cache.set(key, vector);
    while (this.#cache.size > this.#cacheEntries) this.#cache.delete(this.#cache.keys().next().value as string);
  }

  async #request(input: string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    const { baseUrl, model, apiKey, timeoutMs, retries, dimensions } = this.#config;
    const endpoint = `${baseUrl.replace(/\/+$/, '')}/embeddings`;
    const attempt = async (): Promise<Float32Array[]> => {
      const attemptSignal = signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
          body: JSON.stringify({ model, input, encoding_format: 'float', ...(dimensions !== undefined && { dimensions }) }),
          signal: attemptSignal,
        });
      } catch (err) {
        if (signal?.aborted) throw new AbortError(signal.reason as Error);
        const why = attemptSignal.aborted ? `no answer within ${timeoutMs} ms` : (err as Error).message;
        throw new GatewayError('knowledge_unavailable', `the embeddings server cannot be reached: ${why}`, { cause: err });
      }
      if (!response.ok) {
        const error = new GatewayError('knowledge_unavailable', `the embeddings server answered HTTP ${response.status}`);
        await response.body?.cancel();
        throw RETRYABLE_STATUS.has(response.status) ? error : new AbortError(error);
      }
      const parsed = responseSchema.safeParse(await response.json().catch(() => undefined));
      if (!parsed.success || parsed.data.data.length !== input.length) {
        throw new AbortError(new GatewayError('knowledge_unavailable', 'the embeddings server gave an answer that is not one embedding per input'));
      }
      const vectors: Float32Array[] = [];
      for (const item of parsed.data.data) vectors[item.index] = Float32Array.from(item.embedding);
      return vectors;
    };
    try {
      return await pRetry(attempt, { retries, minTimeout: 200, maxTimeout: 2_000, ...(signal && { signal }) });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw err;
    }
  }
}
