/**
 * Error-seed study on the built-in NanoTerasu ring with a short DA (16 turns, 5 rays, 0.1 mm
 * precision): zero errors reproduce the error-free DA exactly; seed k's lattice and results do not
 * depend on which other seeds are computed; the misalignments have the requested truncated-Gaussian
 * spread; the closed orbit grows with the errors; 1 and 2 worker threads give the same numbers;
 * a seed without a closed orbit says so (no NaN).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Element } from '../../../lattice/elements.ts';
import { expandPeriods } from '../../../lattice/lattice.ts';
import { nanoterasuRing } from '../../../lattice/nanoterasu.ts';
import { TrackingPool } from '../../../sim/parallel/pool.ts';
import { dynamicAperture } from '../../../sim/studies/da.ts';
import { ERROR_CUTOFF_SIGMA, errorSeeds, misalignedLattice, seedResult, summariseSeeds, type ErrorSpec } from '../../../sim/studies/errors.ts';
import { poolTracker, serialTracker } from '../../../sim/studies/tracker.ts';

const ring = nanoterasuRing();
const da = { turns: 16, rays: 5, precisionM: 1e-4, compile: { mode: '4d' as const } };
const spec = (um: number): ErrorSpec => ({ seed: 7, dxRmsM: um * 1e-6, dyRmsM: um * 1e-6, tiltRmsRad: 0, families: ['quadrupole', 'sextupole'] });
const pools: TrackingPool[] = [];
afterAll(async () => { await Promise.all(pools.map((p) => p.close())); });

describe('error seeds', () => {
  it('zero rms errors give exactly the error-free DA (whole ring expanded vs periodic ring)', async () => {
    const zero = { ...spec(0), tiltRmsRad: 0 };
    const lat = misalignedLattice(ring, zero, 3);
    expect(lat.elements.length).toBe(ring.elements.length * ring.periodicity);
    const free = await dynamicAperture(ring, serialTracker(), da);
    const withZero = await dynamicAperture(lat, serialTracker(), da);
    expect(withZero).toEqual(free); // tolerance 0
    const [r] = await errorSeeds(ring, serialTracker(), { errors: zero, first: 2, count: 1, da });
    expect(r.status).toBe('ok');
    expect(r.da![0].areaM2).toBe(free.boundaries[0].areaM2);
    expect(r.orbitRmsXM).toBe(0);
    const ref = await seedResult(ring, serialTracker(), da, -1);
    expect(r.tunes![0]).toBeCloseTo(ref.tunes![0], 9);
    expect(r.tunes![1]).toBeCloseTo(ref.tunes![1], 9);
  }, 30_000);

  it("seed k's lattice and results are the same alone or among N; the offsets have the truncated-Gaussian spread", async () => {
    const s = spec(30);
    expect(misalignedLattice(ring, s, 2)).toEqual(misalignedLattice(ring, s, 2));
    expect(misalignedLattice(ring, s, 2)).not.toEqual(misalignedLattice(ring, s, 1));
    const all = await errorSeeds(ring, serialTracker(), { errors: s, first: 0, count: 3, da });
    const alone = await errorSeeds(ring, serialTracker(), { errors: s, first: 2, count: 1, da });
    expect(alone[0]).toEqual(all[2]);
    expect(all.map((r) => r.index)).toEqual([0, 1, 2]);
    // dx over all quadrupoles and sextupoles of seed 2: |dx| ≤ 2.5σ, rms = σ·0.9546 (normal cut at 2.5σ) within 10 %
    const base = expandPeriods(ring).elements;
    const dx: number[] = [];
    misalignedLattice(ring, s, 2).elements.forEach((e, i) => {
      if (e.type === 'quadrupole' || e.type === 'sextupole') dx.push((e as Element & { dx: number }).dx - (base[i] as Element & { dx: number }).dx);
      else expect(e).toBe(base[i]);
    });
    expect(dx.length).toBeGreaterThan(100);
    expect(Math.max(...dx.map(Math.abs))).toBeLessThanOrEqual(ERROR_CUTOFF_SIGMA * s.dxRmsM);
    const rms = Math.sqrt(dx.reduce((a, x) => a + x * x, 0) / dx.length);
    expect(Math.abs(rms / (0.9546 * s.dxRmsM) - 1)).toBeLessThan(0.1);
    const sum = summariseSeeds(all);
    expect(sum.withClosedOrbit).toBe(3);
    expect(sum.da![0].areaM2.min).toBe(Math.min(...all.map((r) => r.da![0].areaM2)));
  }, 30_000);

  it('larger errors give a larger rms closed orbit (nearly linear: ×4 errors → ×4 ± 25 % orbit)', async () => {
    const small = await seedResult(misalignedLattice(ring, spec(5), 0), serialTracker(), { ...da, rays: 2 }, 0);
    const large = await seedResult(misalignedLattice(ring, spec(20), 0), serialTracker(), { ...da, rays: 2 }, 0);
    expect(small.orbitRmsXM!).toBeGreaterThan(0);
    const rx = large.orbitRmsXM! / small.orbitRmsXM!;
    const ry = large.orbitRmsYM! / small.orbitRmsYM!;
    expect(rx).toBeGreaterThan(3);
    expect(rx).toBeLessThan(5);
    expect(ry).toBeGreaterThan(3);
    expect(ry).toBeLessThan(5);
  }, 30_000);

  it('1 and 2 worker threads give identical results', async () => {
    const p1 = new TrackingPool(1);
    const p2 = new TrackingPool(2);
    pools.push(p1, p2);
    const o = { errors: spec(30), first: 0, count: 2, da };
    const [a, b] = [await errorSeeds(ring, poolTracker(p1), o), await errorSeeds(ring, poolTracker(p2), o)];
    expect(b).toEqual(a);
  }, 30_000);

  it('a seed without a closed orbit is reported as such, with no NaN', async () => {
    const [r] = await errorSeeds(ring, serialTracker(), { errors: spec(1000), first: 0, count: 1, da });
    expect(r.status).toBe('no closed orbit');
    expect(r.reason).toMatch(/closed orbit/);
    const sum = summariseSeeds([r]);
    expect(sum).toEqual({ seeds: 1, withClosedOrbit: 0, noClosedOrbit: 1 });
    expect(JSON.stringify(r)).not.toMatch(/NaN|null/);
  }, 30_000);
});
