import { describe, expect, it } from 'vitest';
import { baneG, ibsEquilibrium, ibsGrowthRates, type IbsInput } from '../../../sim/lifetime/ibs.ts';
import { gaussLegendre } from '../../../sim/lifetime/touschek.ts';

const optics = {
  sM: [0, 1, 2], betaX: [3, 2, 3], alphaX: [0.5, 0, -0.5], etaX: [0.05, 0.08, 0.05], etaPX: [0.02, 0, -0.02], betaY: [5, 8, 5],
};
const base: IbsInput = { optics, energyEV: 3e9, bunchPopulation: 6e9, emittanceX: 1.13e-9, emittanceY: 1.13e-11, energySpread: 8.4e-4, bunchLengthM: 2.92e-3 };

describe('intra-beam scattering (Bane 2002)', () => {
  it('g(α) = √α/AGM(1, α) equals its integral definition (2√α/π)∫du/(√(1+u²)√(α²+u²)) to 1e-8', () => {
    for (const a of [0.01, 0.1, 0.5, 1, 3]) {
      // u = tan θ maps [0, ∞) to [0, π/2)
      const integ = gaussLegendre((t) => {
        const u = Math.tan(t);
        return (1 + u * u) / (Math.sqrt(1 + u * u) * Math.sqrt(a * a + u * u));
      }, 0, Math.PI / 2, 400);
      expect(Math.abs(baneG(a) / ((2 * Math.sqrt(a) / Math.PI) * integ) - 1)).toBeLessThan(1e-8);
    }
    expect(baneG(0.2)).toBeCloseTo(baneG(5), 14); // g(α) = g(1/α)
  });

  it("Bane's fit α^(0.021 − 0.044 ln α) is within 7 % of the exact g for 0.01 ≤ α ≤ 1 (2 % above 0.05)", () => {
    for (const a of [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]) {
      const err = Math.abs(Math.pow(a, 0.021 - 0.044 * Math.log(a)) / baneG(a) - 1);
      expect(err).toBeLessThan(a >= 0.05 ? 0.02 : 0.07);
    }
  });

  it('rates ∝ N; no horizontal growth without dispersion', () => {
    const r1 = ibsGrowthRates(base), r2 = ibsGrowthRates({ ...base, bunchPopulation: 12e9 });
    expect(r2.longitudinalPerS / r1.longitudinalPerS).toBeCloseTo(2, 12);
    const nodisp = ibsGrowthRates({ ...base, optics: { ...optics, etaX: [0, 0, 0], etaPX: [0, 0, 0] } });
    expect(nodisp.horizontalPerS).toBe(0);
    expect(nodisp.longitudinalPerS).toBeGreaterThan(0);
  });

  it('the equilibrium is self-consistent: εx = εx0/(1 − τx/Tx(εx, σδ)), σδ² = σδ0²/(1 − τz/Tp) to 1e-8', () => {
    const eq = ibsEquilibrium(base, 8.18e-3, 7.05e-3, 0.01);
    const r = ibsGrowthRates({ ...base, emittanceX: eq.emittanceX, emittanceY: eq.emittanceY, energySpread: eq.energySpread, bunchLengthM: eq.bunchLengthM });
    expect(Math.abs(eq.emittanceX * (1 - 8.18e-3 * r.horizontalPerS) / base.emittanceX - 1)).toBeLessThan(1e-8);
    expect(Math.abs(eq.energySpread ** 2 * (1 - 7.05e-3 * r.longitudinalPerS) / base.energySpread ** 2 - 1)).toBeLessThan(1e-8);
    expect(eq.growth.emittanceX).toBeGreaterThan(1);
    expect(eq.bunchLengthM / base.bunchLengthM).toBeCloseTo(eq.growth.energySpread, 12);
  });

  it('above the IBS threshold it is an error, not NaN', () => {
    expect(() => ibsEquilibrium({ ...base, bunchPopulation: 1e14 }, 8.18e-3, 7.05e-3, 0.01)).toThrow(/intra-beam scattering exceeds radiation damping/);
  });
});
