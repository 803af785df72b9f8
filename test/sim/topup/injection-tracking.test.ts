import { afterAll, describe, expect, it } from 'vitest';
import { TrackingPool } from '../../../sim/parallel/pool.ts';
import { ringFrom } from '../../../sim/studies/sextupoles.ts';
import { poolTracker, serialTracker, type Tracker } from '../../../sim/studies/tracker.ts';
import { topupConfigSchema } from '../../../sim/topup/config.ts';
import { defaultInjectedBeam, injectionEfficiency, resolveTrackedEfficiency } from '../../../sim/topup/injection-tracking.ts';

const ring = ringFrom(null); // the built-in ring from INJ
const pools: TrackingPool[] = [];
afterAll(async () => { await Promise.all(pools.map((p) => p.close())); });

/** A tracker that keeps a copy of the final coordinates. */
function recording(t: Tracker): Tracker & { coords: Float64Array | null } {
  const rec: Tracker & { coords: Float64Array | null } = {
    coords: null,
    async track(prog, coords, turns, starts) {
      const lost = await t.track(prog, coords, turns, starts);
      rec.coords = Float64Array.from(coords);
      return lost;
    },
  };
  return rec;
}

describe('injection efficiency by tracking (6D, radiation)', () => {
  it('the default injected beam sits at −(7.5 + 1.0 + 3σx) mm with σx = √(10 nm · βx,INJ)', () => {
    const b = defaultInjectedBeam(15.18);
    expect(Math.abs(b.xM + (8.5e-3 + 3 * Math.sqrt(10e-9 * 15.18)))).toBeLessThan(1e-12);
    expect(b.pxRad).toBe(0);
  });

  it('a bunch injected on axis is fully captured', async () => {
    const r = await injectionEfficiency(serialTracker(3), { particles: 16, turns: 64, seed: 3, beam: { xM: 0 } }, ring);
    expect(r.captured).toBe(16);
    expect(r.efficiency).toBe(1);
    expect(r.efficiencyError).toBe(0);
  });

  it('a bunch injected at x = −30 mm (far outside the DA) is lost, within the first turns', async () => {
    const r = await injectionEfficiency(serialTracker(3), { particles: 16, turns: 64, seed: 3, beam: { xM: -0.03 } }, ring);
    expect(r.captured).toBe(0);
    expect(r.lostEarly).toBe(16);
  });

  it('at the off-axis injection point of the requirement the tuned ring captures the bunch (≥ 90 %, 128 turns)', async () => {
    const r = await injectionEfficiency(serialTracker(5), { particles: 20, turns: 128, seed: 5 }, ring);
    expect(r.beam.xM).toBeLessThan(-9.5e-3);
    expect(r.efficiency).toBeGreaterThanOrEqual(0.9);
    expect(r.efficiencyError).toBeCloseTo(Math.sqrt((r.efficiency * (1 - r.efficiency)) / 20), 15);
  });

  it('identical final coordinates and losses with 1 and 2 workers', async () => {
    const opts = { particles: 12, turns: 24, seed: 7, beam: { xM: -0.012 } };
    const runs = [];
    for (const w of [1, 2]) {
      const pool = new TrackingPool(w);
      pools.push(pool);
      const t = recording(poolTracker(pool, 7));
      const r = await injectionEfficiency(t, opts, ring);
      runs.push({ r, coords: t.coords! });
    }
    expect(runs[1].r).toEqual(runs[0].r);
    expect(Array.from(runs[1].coords)).toEqual(Array.from(runs[0].coords));
  });

  it('the top-up configuration: constant unchanged; tracking replaces the efficiency by the captured fraction', async () => {
    const constant = topupConfigSchema.parse({});
    expect((await resolveTrackedEfficiency(constant, serialTracker())).config).toBe(constant);
    const cfg = topupConfigSchema.parse({ injector: { efficiencyModel: 'tracking', tracking: { particles: 6, turns: 16, seed: 2 } } });
    const r = await resolveTrackedEfficiency(cfg, serialTracker(2), ring);
    expect(r.result!.particles).toBe(6);
    expect(r.config.injector.efficiency).toBe(r.result!.efficiency);
    expect(r.note).toMatch(/injection efficiency from tracking 6 particles for 16 turns/);
    const far = topupConfigSchema.parse({ injector: { efficiencyModel: 'tracking', tracking: { particles: 4, turns: 8 } } });
    // nothing captured: a clear error, not a zero-current top-up
    await expect(resolveTrackedEfficiency(far, { track: async (_p, c, _t) => { c.fill(NaN); return new Int32Array(c.length / 6).fill(0); } }, ring))
      .rejects.toThrow(/none of the 4 injected particles survived 8 turns/);
  });
});
