/**
 * Tunes from tracking: NAFF on a synthetic tone; tracked tunes of the EBS ring against pyAT's
 * fractional tunes (ebs_hmba.ref.json, 4D); detuning with amplitude obeys the Hamiltonian symmetry
 * ∂νx/∂Jy = ∂νy/∂Jx.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRingJson } from '../../../lattice/formats/ringjson.ts';
import { amplitudeTuneShift, naffTune, trackedTunes } from '../../../sim/studies/tune.ts';
import { compileLattice } from '../../../sim/tracking/compile.ts';

const dir = new URL('../../fixtures/track/', import.meta.url);
const lat = parseRingJson(readFileSync(new URL('ebs_hmba.json', dir), 'utf8')).lattice;
const ref = JSON.parse(readFileSync(new URL('ebs_hmba.ref.json', dir), 'utf8'));
const o = ref.optics;
const twiss = { betaX: o.beta_x[0], alphaX: o.alpha_x[0], betaY: o.beta_y[0], alphaY: o.alpha_y[0] };

describe('NAFF', () => {
  it('finds a pure tone to 1e-10 in 512 turns (real and complex signals) and reports NaN for a lost particle', () => {
    const nu = 0.2718281828;
    const re = Array.from({ length: 512 }, (_, n) => 1e-3 * Math.cos(2 * Math.PI * nu * n + 0.3) + 2e-4);
    const im = Array.from({ length: 512 }, (_, n) => 1e-3 * Math.sin(2 * Math.PI * nu * n + 0.3)); // z = e^{+iφ}
    expect(Math.abs(naffTune(re) - nu)).toBeLessThan(1e-10);
    expect(Math.abs(naffTune(re, im) - nu)).toBeLessThan(1e-10);
    // a tune above 0.5 is only seen with the complex signal
    const im2 = im.map((v) => -v);
    expect(Math.abs(naffTune(re, im2) - (1 - nu))).toBeLessThan(1e-10);
    expect(naffTune([...re.slice(0, 100), NaN, ...re.slice(101)])).toBeNaN();
  });
});

describe('tunes of the EBS ring from tracking (4D)', () => {
  const prog = compileLattice(lat, { mode: '4d' });
  it('small amplitude: equal to pyAT fractional tunes within 1e-8 (256 turns)', () => {
    const [[qx, qy]] = trackedTunes(prog, new Float64Array([1e-7, 0, 1e-7, 0, 0, 0]), 256, twiss);
    expect(Math.abs(qx - ref.fractional_tunes[0])).toBeLessThan(1e-8);
    expect(Math.abs(qy - ref.fractional_tunes[1])).toBeLessThan(1e-8);
  });
  it('amplitude detuning: ∂νx/∂Jy = ∂νy/∂Jx within 3 %, and the tunes move with amplitude', () => {
    const d = amplitudeTuneShift(prog, [2e-4, 4e-4], 128, twiss);
    expect(Math.abs(d.dQxdJy / d.dQydJx - 1)).toBeLessThan(0.03);
    expect(Math.abs(d.dQxdJx)).toBeGreaterThan(1e3);
    expect(Math.abs(d.x.tunes[1][0] - ref.fractional_tunes[0])).toBeGreaterThan(1e-4);
  }, 20_000);
});
