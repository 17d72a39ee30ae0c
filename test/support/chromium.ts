import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import wavefile from 'wavefile';
import type { Wav } from './wav.ts';

/** Debian's Chromium (`apt-get install chromium`, done by .ci/run); Playwright downloads no browser. */
export const CHROMIUM_PATH = process.env.S2S_TEST_CHROMIUM ?? '/usr/bin/chromium';

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile and a fake microphone that plays `microphone` once, then silence.
 * Background networking is off: the build machines refuse Chromium's own connections, and tests want none.
 */
export async function launchChromium(options: { microphone: Wav }): Promise<Chromium> {
  const dir = mkdtempSync(join(tmpdir(), 's2s-chromium-'));
  const wavPath = join(dir, 'microphone.wav');
  const wav = new wavefile.WaveFile();
  wav.fromScratch(options.microphone.channels, options.microphone.sampleRateHz, '16', options.microphone.samples);
  writeFileSync(wavPath, wav.toBuffer());
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wavPath}%noloop`,
    ],
  });
  // Two shared cores run the gateway's models and the browser: waits get room, not a race.
  context.setDefaultTimeout(60_000);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
