// WAV reading and audio framing for the voice load test. Plain JavaScript: it runs in k6 and in Node.

/**
 * @typedef {{ sampleRateHz: number, channels: number, pcm: ArrayBuffer }} Pcm16Audio
 */

/**
 * Reads a PCM16 WAV file by walking its RIFF chunks: the samples are not always at byte 44 (LIST and fact
 * chunks come first in files from many tools).
 * @param {ArrayBuffer} buffer
 * @returns {Pcm16Audio}
 */
export function parseWav(buffer) {
  const view = new DataView(buffer);
  if (buffer.byteLength < 12 || fourCC(view, 0) !== 'RIFF' || fourCC(view, 8) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  /** @type {{ sampleRateHz: number, channels: number } | undefined} */
  let format;
  let offset = 12;
  while (offset + 8 <= buffer.byteLength) {
    const id = fourCC(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      const audioFormat = view.getUint16(body, true);
      const bitsPerSample = view.getUint16(body + 14, true);
      // 0xfffe is WAVE_FORMAT_EXTENSIBLE, which sox writes for PCM too.
      if ((audioFormat !== 1 && audioFormat !== 0xfffe) || bitsPerSample !== 16) {
        throw new Error(`expected PCM16, got format ${audioFormat} with ${bitsPerSample} bits`);
      }
      format = { channels: view.getUint16(body + 2, true), sampleRateHz: view.getUint32(body + 4, true) };
    } else if (id === 'data') {
      if (format === undefined) throw new Error('data chunk before fmt chunk');
      const end = Math.min(body + size, buffer.byteLength);
      return { ...format, pcm: buffer.slice(body, end - ((end - body) % 2)) };
    }
    // Chunks are padded to an even size.
    offset = body + size + (size % 2);
  }
  throw new Error('no data chunk');
}

/**
 * @param {DataView} view
 * @param {number} offset
 */
function fourCC(view, offset) {
  let id = '';
  for (let i = 0; i < 4; i++) id += String.fromCharCode(view.getUint8(offset + i));
  return id;
}

/**
 * Splits PCM into frames of `frameMs`, the last one padded with silence, as a microphone would send them.
 * @param {Pcm16Audio} audio
 * @param {number} frameMs
 * @returns {ArrayBuffer[]}
 */
export function pcmFrames(audio, frameMs) {
  const bytes = frameBytes(audio, frameMs);
  /** @type {ArrayBuffer[]} */
  const frames = [];
  for (let start = 0; start < audio.pcm.byteLength; start += bytes) {
    const frame = new Uint8Array(bytes);
    frame.set(new Uint8Array(audio.pcm, start, Math.min(bytes, audio.pcm.byteLength - start)));
    frames.push(frame.buffer);
  }
  return frames;
}

/**
 * @param {{ sampleRateHz: number, channels: number }} audio
 * @param {number} frameMs
 */
export function frameBytes(audio, frameMs) {
  return Math.round((audio.sampleRateHz * frameMs) / 1000) * audio.channels * 2;
}

/**
 * Where the speech in the file ends: the end of the last `frameMs` frame louder than `thresholdDbfs`. The voice
 * test measures voice-to-voice latency from the moment this point of the file has been sent.
 * @param {Pcm16Audio} audio
 * @param {number} frameMs
 * @param {number} [thresholdDbfs]
 * @returns {number} milliseconds from the start of the file
 */
export function speechEndMs(audio, frameMs, thresholdDbfs = -40) {
  const samples = new Int16Array(audio.pcm, 0, audio.pcm.byteLength / 2);
  const perFrame = frameBytes(audio, frameMs) / 2;
  const threshold = 32768 * Math.pow(10, thresholdDbfs / 20);
  let lastLoudFrame = -1;
  for (let frame = 0; frame * perFrame < samples.length; frame++) {
    let sumSquares = 0;
    const end = Math.min(samples.length, (frame + 1) * perFrame);
    for (let i = frame * perFrame; i < end; i++) sumSquares += (samples[i] ?? 0) * (samples[i] ?? 0);
    if (Math.sqrt(sumSquares / (end - frame * perFrame)) > threshold) lastLoudFrame = frame;
  }
  return (lastLoudFrame + 1) * frameMs;
}
