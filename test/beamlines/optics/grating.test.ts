/** Plane-grating monochromator: grating equation at fixed c_ff, resolving power, efficiency. */
import { describe, expect, it } from 'vitest';
import { HC_EVM } from '../../../beamlines/devices/undulator.ts';
import { gratingAt, pgmAngles, type GratingSpec } from '../../../beamlines/optics/grating.ts';

const g: GratingSpec = {
  name: 'G600', lineDensityPerM: 600e3, order: 1, cff: 2.25, coatings: ['Au'], grooveEfficiency: 0.15, slopeErrorRad: 1e-7,
  sourceDistanceM: 30, exitSlitM: 20e-6, exitArmM: 10, premirror: true,
};

describe('PGM geometry', () => {
  it('satisfies sin α + sin β = mNλ and cos β / cos α = c_ff (1e-12) from 100 eV to 2 keV', () => {
    for (const e of [100, 300, 1000, 2000]) {
      const a = pgmAngles(600e3, 1, 2.25, e);
      expect(Math.sin(a.alphaRad) + Math.sin(a.betaRad)).toBeCloseTo(600e3 * (HC_EVM / e), 12);
      expect(Math.abs(Math.cos(a.betaRad) / Math.cos(a.alphaRad) - 2.25)).toBeLessThan(1e-11);
      expect(a.betaRad).toBeLessThan(0);
      expect(a.incidenceGrazingRad).toBeGreaterThan(0);
    }
  });
  it('grazing angles shrink with photon energy', () => {
    expect(pgmAngles(600e3, 1, 2.25, 2000).incidenceGrazingRad).toBeLessThan(pgmAngles(600e3, 1, 2.25, 200).incidenceGrazingRad);
  });
  it('no geometry (e.g. λ too long for the line density) is an error', () => {
    expect(() => pgmAngles(3e6, 1, 2.25, 1, 'G3000')).toThrow(/G3000: no geometry at 1 eV/);
  });
});

describe('PGM performance', () => {
  it('resolving power: quadrature of the slit, source and slope terms; the slit term is w cos β/(mN r2 λ)', () => {
    const r = gratingAt(g, 500, 30e-6);
    const a = pgmAngles(600e3, 1, 2.25, 500);
    const lam = HC_EVM / 500;
    expect(r.contributions.slit).toBeCloseTo((20e-6 * Math.cos(a.betaRad)) / (600e3 * 10) / lam, 14);
    expect(r.resolvingPower).toBeCloseTo(1 / Math.hypot(r.contributions.source, r.contributions.slit, r.contributions.slope), 8);
    // halving the slit when it dominates nearly doubles R
    const narrow = gratingAt({ ...g, exitSlitM: 10e-6, slopeErrorRad: 0 }, 500, 1e-6);
    const wide = gratingAt({ ...g, slopeErrorRad: 0 }, 500, 1e-6);
    expect(narrow.resolvingPower / wide.resolvingPower).toBeGreaterThan(1.95);
    expect(narrow.slitBandwidth).toBeCloseTo(wide.slitBandwidth / 2, 14);
  });
  it('efficiency ≤ the groove efficiency (coating reflections included)', () => {
    for (const e of [200, 800, 1500]) {
      const r = gratingAt(g, e, 30e-6);
      expect(r.efficiency).toBeGreaterThan(0.01);
      expect(r.efficiency).toBeLessThan(0.15);
    }
  });
});
