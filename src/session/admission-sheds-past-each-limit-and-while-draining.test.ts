import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../core/errors.ts';
import { Admission, type LoadProbes } from './admission.ts';

const LIMITS = { maxEventLoopLagMs: 200, maxAsrQueued: 8, maxSpeakingTurns: 2, maxRssMb: 1_024 };

function admissionWith(load: Partial<{ lagMs: number; asrQueued: number; rssMiB: number }>) {
  const probes: LoadProbes = {
    eventLoopLagMs: () => load.lagMs ?? 0,
    asrQueued: () => load.asrQueued ?? 0,
    rssBytes: () => (load.rssMiB ?? 100) * 2 ** 20,
  };
  return new Admission(LIMITS, probes);
}

function refusal(admission: Admission): string | undefined {
  try {
    admission.admitSession();
    return undefined;
  } catch (err) {
    assert.ok(err instanceof GatewayError);
    return err.code;
  }
}

test('each load signal past its limit refuses new sessions with overloaded and names the reason', () => {
  assert.equal(refusal(admissionWith({})), undefined);
  for (const [load, reason] of [
    [{ lagMs: 250 }, 'event_loop_lag'],
    [{ asrQueued: 8 }, 'asr_queue'],
    [{ rssMiB: 2_000 }, 'memory'],
  ] as const) {
    const admission = admissionWith(load);
    assert.equal(admission.status().reason, reason);
    assert.equal(refusal(admission), 'overloaded');
  }
  const busy = admissionWith({});
  const releases = [busy.reserveSpeech(), busy.reserveSpeech()];
  assert.equal(busy.status().reason, 'tts_queue');
  assert.equal(refusal(busy), 'overloaded');
  assert.throws(() => busy.reserveSpeech(), (err: unknown) => err instanceof GatewayError && err.code === 'tts_busy');
  releases[0]!();
  releases[0]!();
  assert.equal(busy.status().speakingTurns, 1, 'a release counts once');
  assert.equal(refusal(busy), undefined);
});

test('a limit of 0 is off; draining refuses with shutting_down whatever the load', () => {
  const off = new Admission({ maxEventLoopLagMs: 0, maxAsrQueued: 0, maxSpeakingTurns: 1, maxRssMb: 0 }, {
    eventLoopLagMs: () => 10_000,
    asrQueued: () => 10_000,
    rssBytes: () => 2 ** 40,
  });
  assert.equal(refusal(off), undefined);
  off.drain();
  assert.deepEqual([off.status().reason, off.status().admitting, refusal(off)], ['draining', false, 'shutting_down']);
});
