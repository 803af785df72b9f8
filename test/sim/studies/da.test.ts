/**
 * Dynamic aperture machinery on a case with a known answer: one EBS cell closed on itself with every
 * sextupole and octupole off (linear motion) and an elliptical aperture (a = 3 mm, b = 2 mm) as its
 * first element. Particles start there with px = py = 0, so the DA is exactly the ellipse; the
 * k-section must find it to the requested precision, identically in this thread and on a pool.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeElement, withFields } from '../../../lattice/elements.ts';
import { parseRingJson } from '../../../lattice/formats/ringjson.ts';
import { makeLattice } from '../../../lattice/lattice.ts';
import { TrackingPool } from '../../../sim/parallel/pool.ts';
import { dynamicAperture } from '../../../sim/studies/da.ts';
import { poolTracker, serialTracker } from '../../../sim/studies/tracker.ts';

const ebs = parseRingJson(readFileSync(new URL('../../fixtures/track/ebs_hmba.json', import.meta.url), 'utf8')).lattice;
const linear = ebs.elements.map((e) => (e.type === 'sextupole' || e.type === 'octupole' ? withFields(e, { k2: 0, k3: 0 }) : e));
const a = 3e-3;
const b = 2e-3;
const cell = makeLattice({
  ...ebs,
  periodicity: 1,
  elements: [makeElement({ type: 'aperture', name: 'APE', shape: 'elliptical', xLimit: a, yLimit: b }), ...linear],
});

describe('dynamic aperture', () => {
  it('finds the elliptical aperture of a linear cell to the requested precision, same on a pool', async () => {
    const opts = { turns: 8, rays: 7, precisionM: 1e-6, rMaxM: 0.01, compile: { mode: '4d' as const } };
    const res = await dynamicAperture(cell, serialTracker(), opts);
    const [bd] = res.boundaries;
    for (const r of bd.rays) {
      const c = Math.cos(r.angleRad);
      const s = Math.max(Math.sin(r.angleRad), 1e-6 / r.radiusM);
      const exact = 1 / Math.sqrt((c / a) ** 2 + (s / b) ** 2);
      expect(r.radiusM).toBeLessThanOrEqual(exact);
      expect(exact - r.radiusM).toBeLessThan(1e-6);
      expect(r.reachedLimit).toBe(false);
    }
    // fan area of the 7-ray polygon inscribed in the half ellipse (π a b / 2)
    expect(bd.areaM2).toBeLessThan((Math.PI * a * b) / 2);
    expect(bd.areaM2).toBeGreaterThan(0.9 * (Math.PI * a * b) / 2);
    const pool = new TrackingPool(2);
    try {
      const pooled = await dynamicAperture(cell, poolTracker(pool), opts);
      expect(pooled.boundaries).toEqual(res.boundaries);
    } finally {
      await pool.close();
    }
  }, 20_000);

  it('an outer bound inside the aperture is reported as reached', async () => {
    const res = await dynamicAperture(cell, serialTracker(), { turns: 4, rays: 3, rMaxM: 1e-3, compile: { mode: '4d' } });
    expect(res.boundaries[0].rays.every((r) => r.reachedLimit && r.radiusM === 1e-3)).toBe(true);
  });
});
