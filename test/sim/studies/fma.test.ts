/**
 * Frequency map analysis: on linear rings every grid point has the optics tunes and no diffusion;
 * on the built-in ring the small-amplitude tunes are the linear ones and the tunes move with
 * amplitude as the detuning of tune.ts says; the pool gives identical results for 1 and 2 workers.
 */
import { describe, expect, it } from 'vitest';
import { makeElement } from '../../../lattice/elements.ts';
import { makeLattice } from '../../../lattice/lattice.ts';
import { nanoterasuRing } from '../../../lattice/nanoterasu.ts';
import { TrackingPool } from '../../../sim/parallel/pool.ts';
import { linearOptics } from '../../../sim/optics/twiss.ts';
import { diffusionIndex, fmaSetup, fmaSummary, frequencyMap } from '../../../sim/studies/fma.ts';
import { poolTracker, serialTracker } from '../../../sim/studies/tracker.ts';
import { amplitudeTuneShift } from '../../../sim/studies/tune.ts';

const frac = (q: number) => q - Math.floor(q);

/** FODO ring of thin quadrupoles and drifts: tracking is exactly the linear optics map. */
function thinFodo() {
  const d = makeElement({ type: 'drift', name: 'D', length: 2 });
  const qf = makeElement({ type: 'multipole', name: 'QF', knl: [0, 0.55], ksl: [] });
  const qd = makeElement({ type: 'multipole', name: 'QD', knl: [0, -0.45], ksl: [] });
  const mk = makeElement({ type: 'marker', name: 'MID' });
  return makeLattice({ name: 'thin-fodo', energyEV: 3e9, periodicity: 6, elements: [qf, d, mk, qd, d] });
}

describe('frequency map of linear rings', () => {
  it('thin-lens FODO: every point has the optics tunes within 1e-6 and diffusion below −8 (also from a marker)', async () => {
    const lat = thinFodo();
    const q = linearOptics(lat).tunes.map(frac);
    for (const at of [undefined, 'MID']) {
      const res = await frequencyMap(lat, serialTracker(), { turns: 128, nx: 3, ny: 3, xMaxM: 5e-3, yMaxM: 5e-3, ...(at ? { at } : {}) });
      expect(res.points).toHaveLength(9);
      for (const p of res.points) {
        expect(p.survived).toBe(true);
        expect(Math.abs(p.nuX - q[0])).toBeLessThan(1e-6);
        expect(Math.abs(p.nuY - q[1])).toBeLessThan(1e-6);
        expect(p.diffusion).toBeLessThan(-8);
      }
    }
  });

  it('built-in ring with sextupoles off: tunes equal the tracked linear tunes within 1e-6 (optics within the 1e-3 integrator error), diffusion below −8', async () => {
    const lat = nanoterasuRing({ families: { SF: { k2: 0 }, SD: { k2: 0 }, S1: { k2: 0 }, S5: { k2: 0 } } });
    const q = linearOptics(lat).tunes.map(frac);
    const res = await frequencyMap(lat, serialTracker(), { turns: 64, nx: 3, ny: 2, xMaxM: 5e-3, yMaxM: 2e-3 });
    // the 10-slice integrator of the thick magnets shifts the tracked tunes from the exact-map ones
    expect(Math.abs(res.linearTunes[0] - q[0])).toBeLessThan(1e-3);
    expect(Math.abs(res.linearTunes[1] - q[1])).toBeLessThan(1e-3);
    for (const p of res.points) {
      expect(p.survived).toBe(true);
      expect(Math.abs(p.nuX - res.linearTunes[0])).toBeLessThan(1e-6);
      expect(Math.abs(p.nuY - res.linearTunes[1])).toBeLessThan(1e-6);
      expect(p.diffusion).toBeLessThan(-8);
    }
  });
});

describe('frequency map of the built-in ring (4D)', () => {
  it('small amplitudes have the linear tunes; the tunes move with amplitude in the direction of the detuning', async () => {
    const lat = nanoterasuRing();
    const q = linearOptics(lat).tunes.map(frac);
    // grid x ∈ {10 µm, 1 mm}, y ∈ {10 µm, 0.5 mm}
    const res = await frequencyMap(lat, serialTracker(), { turns: 128, nx: 2, ny: 2, xMaxM: 1e-3, yMaxM: 5e-4 });
    const [p00, px, py] = [res.points[0], res.points[1], res.points[2]];
    expect(p00.x0M).toBeCloseTo(1e-5, 12);
    // 10 µm: detuning ~4e-7 plus the NAFF error of a 128-turn signal with sextupole harmonics
    expect(Math.abs(p00.nuX - res.linearTunes[0])).toBeLessThan(1e-5);
    expect(Math.abs(p00.nuY - res.linearTunes[1])).toBeLessThan(1e-5);
    expect(Math.abs(p00.nuX - q[0])).toBeLessThan(1e-3); // integrator error, as above
    expect(Math.abs(p00.nuY - q[1])).toBeLessThan(1e-3);
    const s = fmaSetup(lat, { turns: 128, nx: 1, ny: 1, xMaxM: 1e-3, yMaxM: 1e-3 });
    const d = amplitudeTuneShift(s.prog, [5e-4, 1e-3], 128, s.twiss);
    // same start, same particles: the x-axis point has the tunes amplitudeTuneShift finds (1e-8)
    expect(Math.abs(px.nuX - d.x.tunes[1][0])).toBeLessThan(1e-12);
    expect(Math.abs(px.nuY - d.x.tunes[1][1])).toBeLessThan(1e-12);
    // direction of the shift = sign of the detuning coefficient, and a measurable shift (> 1e-3)
    for (const [shift, coeff] of [
      [px.nuX - p00.nuX, d.dQxdJx], [px.nuY - p00.nuY, d.dQydJx],
      [py.nuX - p00.nuX, d.dQxdJy], [py.nuY - p00.nuY, d.dQydJy],
    ]) {
      expect(Math.sign(shift)).toBe(Math.sign(coeff));
      expect(Math.abs(shift)).toBeGreaterThan(1e-3);
    }
    const sum = fmaSummary(res);
    expect(sum.survived).toBe(4);
    expect(sum.nuXRange[1] - sum.nuXRange[0]).toBeGreaterThan(1e-3);
  }, 15_000);

  it('diffusion index: log10 of the tune change, floored at −16, NaN when a tune is missing', () => {
    expect(diffusionIndex(0.1, 0.2, 0.1 + 3e-5, 0.2 + 4e-5)).toBeCloseTo(Math.log10(5e-5), 10);
    expect(diffusionIndex(0.1, 0.2, 0.1, 0.2)).toBe(-16);
    expect(diffusionIndex(NaN, 0.2, 0.1, 0.2)).toBeNaN();
  });

  it('an unknown start element is a clear error', async () => {
    await expect(frequencyMap(thinFodo(), serialTracker(), { turns: 16, nx: 1, ny: 1, xMaxM: 1e-3, yMaxM: 1e-3, at: 'NOPE' }))
      .rejects.toThrow(/no element named 'NOPE'/);
  });
});

describe('frequency map on the worker pool', () => {
  it('1 and 2 workers give identical points (with losses), equal to the serial tracker', async () => {
    const lat = thinFodo();
    // a chamber-free thin FODO never loses: add an aperture so that the large amplitudes are lost
    const ap = makeElement({ type: 'aperture', name: 'AP', shape: 'rectangular', xLimit: 6e-3, yLimit: 6e-3 });
    const lossy = makeLattice({ ...lat, elements: [...lat.elements, ap] });
    const opts = { turns: 32, nx: 4, ny: 3, xMaxM: 8e-3, yMaxM: 4e-3, at: 'MID' };
    const serial = await frequencyMap(lossy, serialTracker(), opts);
    const runs = [];
    for (const w of [1, 2]) {
      const pool = new TrackingPool(w);
      try {
        runs.push(await frequencyMap(lossy, poolTracker(pool), opts));
      } finally {
        await pool.close();
      }
    }
    expect(runs[0]).toEqual(serial);
    expect(runs[1]).toEqual(serial);
    const sum = fmaSummary(serial);
    expect(sum.survived).toBeGreaterThan(0);
    expect(sum.survived).toBeLessThan(12);
  }, 15_000);
});
