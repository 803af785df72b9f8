/**
 * RF numbers checked independently of their closed-form expressions: the bucket half-height
 * (energy acceptance) against a tracked longitudinal map, δ' = δ + (V/E)(sin φ − sin φs),
 * φ' = φ − 2π h η_c δ', started at (φs, δ0): the largest δ0 that stays bounded; and the synchrotron
 * tune against the phase advance of the same map at small amplitude.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadLattice } from '../../../lattice/formats/index.ts';
import { computeOptics } from '../../../sim/optics/summary.ts';

const FIX = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/reference');

describe('RF bucket', () => {
  const s = computeOptics(loadLattice(join(FIX, 'as_3gev.json'), { format: 'ring-lattice-json' }).lattice, { skipNaturalChromaticity: true });
  const rf = s.rf!;
  const vOverE = rf.totalVoltageV / s.energyEV;
  const sinPhis = s.energyLossPerTurnEV / rf.totalVoltageV;
  const phis = rf.synchronousPhaseRad;
  const k = 2 * Math.PI * rf.harmonicNumber * rf.slipFactor;

  function survives(delta0: number, turns: number): boolean {
    let phi = phis, d = delta0;
    for (let n = 0; n < turns; n++) {
      d += vOverE * (Math.sin(phi) - sinPhis);
      phi -= k * d;
      if (Math.abs(phi - phis) > 2 * Math.PI) return false;
    }
    return true;
  }

  it('energy acceptance equals the tracked bucket height (0.5 %)', () => {
    const turns = Math.ceil(3 / rf.synchrotronTune);
    let lo = 0, hi = 3 * rf.energyAcceptance;
    for (let it = 0; it < 30; it++) {
      const mid = (lo + hi) / 2;
      if (survives(mid, turns)) lo = mid; else hi = mid;
    }
    expect(Math.abs(lo / rf.energyAcceptance - 1)).toBeLessThan(5e-3);
  });

  it('synchrotron tune equals the small-amplitude phase advance of the tracked map (1e-3)', () => {
    // one-turn matrix of the linearised map about (φs, 0): δ' = δ + a Δφ, Δφ' = Δφ − k δ'
    const a = vOverE * Math.cos(phis);
    const trace = 1 + (1 - k * a);
    const nu = Math.acos(trace / 2) / (2 * Math.PI);
    expect(Math.abs(nu / rf.synchrotronTune - 1)).toBeLessThan(1e-3);
  });
});
