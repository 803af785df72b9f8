/**
 * Tracking against the exact-map linear optics (sim/optics) on the built-in NanoTerasu ring: the
 * tracked tunes converge to the optics tunes at the 4th order of the integrator, Δν ∝ 1/slices⁴
 * (10 → 40 slices: ÷256), and agree to < 5e-6 with 40 slices.
 */
import { describe, expect, it } from 'vitest';
import { nanoterasuRing } from '../../../lattice/nanoterasu.ts';
import { computeOpticsDetailed } from '../../../sim/optics/summary.ts';
import { trackedTunes } from '../../../sim/studies/tune.ts';
import { compileLattice } from '../../../sim/tracking/compile.ts';

describe('tracking vs optics on the built-in ring', () => {
  it('tunes converge as 1/slices⁴ to the exact-map tunes', () => {
    const lat = nanoterasuRing();
    const { summary, twiss } = computeOpticsDetailed(lat, { skipNaturalChromaticity: true });
    const tw = { betaX: twiss.betaX[0], alphaX: twiss.alphaX[0], betaY: twiss.betaY[0], alphaY: twiss.alphaY[0] };
    const diff = (slices: number) => {
      const [[qx, qy]] = trackedTunes(compileLattice(lat, { mode: '4d', slices }), new Float64Array([1e-7, 0, 1e-7, 0, 0, 0]), 256, tw);
      return [qx - (summary.tunes[0] % 1), qy - (summary.tunes[1] % 1)];
    };
    const d10 = diff(10);
    const d40 = diff(40);
    for (const k of [0, 1]) {
      expect(Math.abs(d40[k])).toBeLessThan(5e-6);
      expect(d10[k] / d40[k]).toBeGreaterThan(256 * 0.9);
      expect(d10[k] / d40[k]).toBeLessThan(256 * 1.1);
    }
  }, 20_000);
});
