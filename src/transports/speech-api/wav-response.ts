import { once } from 'node:events';
import type { FastifyReply } from 'fastify';
import { GatewayError } from '../../core/errors.ts';
import type { Speech } from '../../speech/speech-service.ts';
import { pcm16Bytes, wavHeader } from './wav.ts';

/**
 * Streams `speech` as a WAV (sizes "to the end") phrase by phrase. The first phrase is synthesised before the
 * status line, so a failure that early is still an error response (`fail`); a later one cuts the connection.
 * Stops the synthesis when the client hangs up (`abort`).
 */
export async function streamWav(reply: FastifyReply, speech: Speech, abort: AbortController, fail: (error: GatewayError) => unknown): Promise<unknown> {
  let first: IteratorResult<Int16Array>;
  try {
    first = await speech.audio.next();
  } catch (err) {
    abort.abort();
    return fail(GatewayError.from(err));
  }
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'audio/wav', 'cache-control': 'no-cache', 'x-sample-rate': String(speech.voice.sampleRateHz) });
  const send = async (bytes: Buffer) => {
    if (!raw.write(bytes) && !abort.signal.aborted) await Promise.race([once(raw, 'drain'), once(raw, 'close')]);
  };
  try {
    await send(wavHeader(speech.voice.sampleRateHz));
    for (let next = first; next.done !== true && !abort.signal.aborted; next = await speech.audio.next()) await send(pcm16Bytes(next.value));
    if (abort.signal.aborted) raw.destroy();
    else raw.end();
  } catch {
    raw.destroy();
  } finally {
    abort.abort();
  }
  return undefined;
}

/** All of `speech`'s audio (for responses that carry it whole: base64 in JSON). */
export async function collectSpeech(speech: Speech): Promise<{ chunks: Int16Array[]; seconds: number }> {
  const chunks: Int16Array[] = [];
  for await (const pcm of speech.audio) chunks.push(pcm);
  const samples = chunks.reduce((n, c) => n + c.length, 0);
  return { chunks, seconds: samples / speech.voice.sampleRateHz };
}
