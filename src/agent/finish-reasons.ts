import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { LLMResult } from '@langchain/core/outputs';

/**
 * Why each chat-model call of a run stopped. A streamed call keeps `finish_reason` in its generation info, not on
 * the message the graph stores, so it is caught here as each call ends (before the graph reports the message).
 */
export class FinishReasons extends BaseCallbackHandler {
  name = 's2s-finish-reasons';
  readonly #reasons: (string | undefined)[] = [];

  override handleLLMEnd(output: LLMResult): void {
    const info = output.generations[0]?.[0]?.generationInfo as { finish_reason?: unknown } | undefined;
    this.#reasons.push(typeof info?.finish_reason === 'string' ? info.finish_reason : undefined);
  }

  /** The reason of the oldest call not yet asked about. */
  next(): string | undefined {
    return this.#reasons.shift();
  }
}
