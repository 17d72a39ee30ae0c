/**
 * Holds one spoken turn with the client library from Node: sends a WAV file as the microphone would (20 ms
 * frames, real time), ends the utterance, prints the transcript and the streamed answer, and writes the answer's
 * audio to a WAV file.
 *
 *   node examples/talk-from-a-wav-file.ts speech.wav [--url ws://127.0.0.1:8080/ws/s2s] [--token KEY] [--out answer.wav]
 *
 * The WAV must be PCM16 (mono or stereo, 8-48 kHz): the gateway resamples it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import wavefile from 'wavefile';
import { S2SClient } from '../client/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: 'ws://127.0.0.1:8080/ws/s2s' },
    token: { type: 'string' },
    out: { type: 'string', default: 'answer.wav' },
  },
});
const [input] = positionals;
if (!input) {
  console.error('usage: node examples/talk-from-a-wav-file.ts speech.wav [--url ws://...] [--token KEY] [--out answer.wav]');
  process.exit(2);
}

const wav = new wavefile.WaveFile(readFileSync(input));
const fmt = wav.fmt as { audioFormat: number; bitsPerSample: number; sampleRate: number; numChannels: number };
if (fmt.audioFormat !== 1 || fmt.bitsPerSample !== 16) throw new Error(`${input}: expected PCM16`);
const samples = wav.getSamples(true, Int16Array) as unknown as Int16Array<ArrayBuffer>;

// Push-to-talk: the file is the whole utterance, so its end is the end of the turn.
const client = new S2SClient({
  url: values.url,
  token: values.token,
  mode: 'push-to-talk',
  session: { audio: { sample_rate: fmt.sampleRate, format: 'pcm16', channels: fmt.numChannels } },
});
const answer: Int16Array[] = [];
let outputRateHz = 0;
client.on('asr_final', ({ text }) => process.stdout.write(`you: ${text}\nassistant: `));
client.on('llm_token', ({ token }) => process.stdout.write(token));
client.on('tool_call', ({ name, args }) => process.stdout.write(`[${name} ${JSON.stringify(args)}] `));
client.on('audio', ({ pcm, sampleRateHz }) => {
  answer.push(pcm.slice());
  outputRateHz = sampleRateHz;
});
client.on('error', ({ code, message }) => console.error(`\nerror ${code}: ${message}`));
const ended = new Promise<Record<string, number>>((resolve) => client.on('response_end', ({ timings }) => resolve(timings)));

await client.connect();
client.startTalking();
const frame = (fmt.sampleRate / 50) * fmt.numChannels;
const started = performance.now();
for (let offset = 0, k = 1; offset < samples.length; offset += frame, k++) {
  client.sendAudio(samples.slice(offset, offset + frame));
  // A microphone delivers 20 ms every 20 ms.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + k * 20 - performance.now())));
}
client.stopTalking();

const timings = await ended;
client.close();
const audio = new Int16Array(answer.reduce((n, a) => n + a.length, 0));
let at = 0;
for (const piece of answer) {
  audio.set(piece, at);
  at += piece.length;
}
const out = new wavefile.WaveFile();
out.fromScratch(1, outputRateHz || 22_050, '16', audio);
writeFileSync(values.out, out.toBuffer());
process.stdout.write(`\nvoice-to-voice ${timings.voice_to_voice_ms ?? '-'} ms; ${((audio.length / (outputRateHz || 1)) * 1000).toFixed(0)} ms of answer in ${values.out}\n`);
