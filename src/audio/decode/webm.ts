import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Decoder as EbmlDecoder, type StateAndTagData } from 'ebml';
import { OpusDecoder } from 'opus-decoder';
import { GatewayError } from '../../core/errors.ts';
import type { MonoCollector } from './decode-audio.ts';

interface AudioTrack {
  number: number;
  codec: string;
  codecPrivate?: Uint8Array;
}

/** What a WebM file holds: its tracks, and each block's track and frame, in order. */
function demux(bytes: Uint8Array): { tracks: AudioTrack[]; blocks: { track: number; payload: Uint8Array }[] } {
  const tracks: AudioTrack[] = [];
  const blocks: { track: number; payload: Uint8Array }[] = [];
  let entry: Partial<AudioTrack> | undefined;
  const decoder = new EbmlDecoder();
  decoder.on('data', ([state, tag]: StateAndTagData) => {
    if (tag.name === 'TrackEntry') {
      if (state === 'start') entry = {};
      else if (state === 'end' && entry?.number !== undefined && entry.codec !== undefined) tracks.push(entry as AudioTrack);
      return;
    }
    if (state !== 'tag') return;
    if (tag.name === 'TrackNumber' && entry) entry.number = Number(tag.value);
    else if (tag.name === 'CodecID' && entry) entry.codec = String(tag.value);
    else if (tag.name === 'CodecPrivate' && entry) entry.codecPrivate = new Uint8Array(tag.data);
    else if (tag.name === 'SimpleBlock' || tag.name === 'Block') {
      const block = tag as unknown as { track: number; payload: Uint8Array };
      blocks.push({ track: block.track, payload: block.payload });
    }
  });
  decoder.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { tracks, blocks };
}

/**
 * WebM with an Opus track (what browsers' MediaRecorder writes): demuxed with node-ebml, each frame decoded with
 * opus-decoder at 48 kHz. The Opus header in the track's CodecPrivate gives its channels and pre-skip.
 */
export async function decodeWebmOpus(bytes: Uint8Array, collector: MonoCollector): Promise<void> {
  const { tracks, blocks } = demux(bytes);
  const track = tracks.find((t) => t.codec === 'A_OPUS');
  if (!track) {
    const codecs = tracks.map((t) => t.codec).join(', ') || 'none';
    throw new GatewayError('unsupported_audio', `a WebM file needs an Opus audio track; it has: ${codecs}`);
  }
  const head = track.codecPrivate;
  const channels = head && head.length >= 19 ? head[9]! : 1;
  const preSkip = head && head.length >= 19 ? head[10]! | (head[11]! << 8) : 0;
  if (channels > 2) throw new GatewayError('unsupported_audio', `Opus with ${channels} channels is not supported; send mono or stereo`);
  const decoder = new OpusDecoder({ channels, preSkip });
  try {
    await decoder.ready;
    let sinceYield = 0;
    for (const block of blocks) {
      if (block.track !== track.number) continue;
      collector.add(decoder.decodeFrame(block.payload));
      if (++sinceYield === 500) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
    }
  } finally {
    decoder.free();
  }
}
