import { describe, expect, it } from 'vitest';
import { gasLifetime, radiationCrossSectionM2 } from '../../../sim/lifetime/gas.ts';
import { quantumLifetime, quantumLifetimePlane } from '../../../sim/lifetime/quantum.ts';
import { bunchLengthM, rfAcceptance } from '../../../sim/lifetime/rf.ts';
import { fillFactors, lossRateModel, modelLifetimeS, ringLifetime } from '../../../sim/lifetime/ring.ts';
import { nanoterasuFallbackBeam } from '../../../sim/lifetime/nanoterasu-model.ts';

const N_A = 6.02214076e23;
/** PDG "Atomic and nuclear properties" radiation lengths [g/cm²] and molar masses [g/mol]. */
const PDG_X0: Array<[string, number[], number, number]> = [
  ['H2', [1, 1], 2.016, 63.04],
  ['C', [6], 12.011, 42.7],
  ['N2', [7, 7], 28.014, 37.99],
  ['Ar', [18], 39.948, 19.55],
];

describe('gas scattering', () => {
  it("Tsai's A/(N_A X0) matches the PDG radiation lengths of H2, C, N2, Ar to 1 %", () => {
    for (const [, zs, A, X0] of PDG_X0) {
      const mine = zs.reduce((s, z) => s + radiationCrossSectionM2(z), 0);
      const pdg = (A / (N_A * X0)) * 1e-4; // cm² → m²
      expect(Math.abs(mine / pdg - 1)).toBeLessThan(0.01);
    }
  });

  it('elastic cross-section 2π r_e² Z² β/(γ² A) equals a direct integral of Rutherford scattering over angle and azimuth (1e-4)', () => {
    const Z = 7, gamma = 3e9 / 510998.95, re = 2.8179403262e-15;
    const beta = 8, accY = 1e-6; // the plane is lost beyond θ_y = √(A/β)
    const th0 = Math.sqrt(accY / beta);
    // σ = ∫dφ ∫_{θ0/|sinφ|}^∞ 4Z²re²/(γ²θ⁴) θ dθ, integrated numerically in φ with the θ integral done by quadrature in 1/θ².
    const nphi = 4000;
    let sigma = 0;
    for (let k = 0; k < nphi; k++) {
      const phi = ((k + 0.5) / nphi) * 2 * Math.PI;
      const tmin = th0 / Math.abs(Math.sin(phi));
      // ∫_{tmin}^{∞} θ^{-3} dθ by the midpoint rule in v = 1/θ² (dθ θ^{-3} = dv/2): exact integrand 1/2 on v ∈ (0, 1/tmin²)
      const m = 50; let inner = 0;
      for (let j = 0; j < m; j++) inner += 0.5 * (1 / (tmin * tmin)) / m;
      sigma += ((4 * Z * Z * re * re) / (gamma * gamma)) * inner * ((2 * Math.PI) / nphi);
    }
    const g = gasLifetime({ pressurePa: 1e-7, temperatureK: 295, composition: { N2: 1 }, betaXAvgM: beta, betaYAvgM: beta,
      acceptanceXM: 1e300, acceptanceYM: accY, momentumAcceptance: 0.5, energyEV: 3e9 });
    const n = 1e-7 / (1.380649e-23 * 295);
    const rateExpected = 299792458 * n * 2 * sigma; // N2: two nuclei
    expect(Math.abs(1 / g.elasticS / rateExpected - 1)).toBeLessThan(1e-4);
  });

  it('lifetime ∝ 1/pressure; zero pressure → infinite; negative pressure is an error naming the field', () => {
    const base = { temperatureK: 295, composition: { H2: 0.8, CO: 0.2 }, betaXAvgM: 6, betaYAvgM: 8, acceptanceXM: 1.6e-6, acceptanceYM: 1.1e-6, momentumAcceptance: 0.03, energyEV: 3e9 };
    const a = gasLifetime({ ...base, pressurePa: 1e-7 });
    const b = gasLifetime({ ...base, pressurePa: 2e-7 });
    expect(a.totalS / b.totalS).toBeCloseTo(2, 12);
    expect(gasLifetime({ ...base, pressurePa: 0 }).totalS).toBe(Infinity);
    expect(() => gasLifetime({ ...base, pressurePa: -1e-7 })).toThrow(/pressurePa: must be ≥ 0 Pa/);
    expect(() => gasLifetime({ ...base, pressurePa: 1e-7, composition: { Xe: 1 } })).toThrow(/composition.Xe: unknown gas/);
  });
});

describe('quantum lifetime', () => {
  it('τ = τd e^ξ/(2ξ) with ξ = (a/σ)²/2 (Sands): 6σ aperture, 8 ms damping', () => {
    expect(quantumLifetimePlane(6, 8e-3)).toBeCloseTo((8e-3 * Math.exp(18)) / 36, 6);
    expect(quantumLifetimePlane(100, 8e-3)).toBe(Infinity);
    const q = quantumLifetime({ apertureXM: 6, sigmaXM: 1, apertureYM: 6, sigmaYM: 1, momentumAcceptance: 0.3, energySpread: 0.05, dampingTimeXS: 1, dampingTimeYS: 1, dampingTimeZS: 1 });
    expect(q.totalS).toBeCloseTo(1 / (3 / quantumLifetimePlane(6, 1)), 6);
  });
});

describe('RF acceptance and bunch length', () => {
  // nanoterasu.md §2.4 [M]: V_RF = 3.39 MV gives σz = 2.92 mm, φs = 10.4°, fs = 5.65 kHz, RF acceptance 4.6 %.
  const p = { voltageV: 3.39e6, energyLossPerTurnEV: 0.615e6, momentumCompaction: 4.12e-4, harmonic: 592, energyEV: 3e9, circumferenceM: 348.843 };
  it('reproduces the reference [M] numbers to their printed precision', () => {
    const r = rfAcceptance(p);
    expect(Math.abs(r.rfAcceptance - 0.046)).toBeLessThan(0.0005);
    expect(Math.abs((r.synchronousPhaseRad * 180) / Math.PI - 10.4)).toBeLessThan(0.06);
    expect(Math.abs(r.synchrotronFrequencyHz - 5650)).toBeLessThan(10) // inputs are rounded (3.39 MV, 0.615 MeV);
    expect(Math.abs(bunchLengthM(p, 8.39e-4) - 2.92e-3)).toBeLessThan(0.005e-3);
  });
  it('a voltage below U0 is an error naming voltageV', () => {
    expect(() => rfAcceptance({ ...p, voltageV: 0.5e6 })).toThrow(/voltageV: 0.500 MV does not exceed/);
  });
});

describe('ring lifetime', () => {
  const ring = nanoterasuFallbackBeam();
  it('fill factors: a uniform train of n bunches concentrates 1/n; weights give Σw²/(Σw)²', () => {
    expect(fillFactors({ filledBuckets: 474 }, 592).concentration).toBeCloseTo(1 / 474, 15);
    expect(fillFactors({ weights: [1, 1, 2] }, 592).concentration).toBeCloseTo(6 / 16, 15);
    expect(() => fillFactors({ filledBuckets: 600 }, 592)).toThrow(/fill.filledBuckets/);
  });
  it('the linear loss-rate model a + bI reproduces the full calculation at another current (1e-9)', () => {
    const fill = { filledBuckets: 474 };
    const m = lossRateModel(ring, fill, 0.4);
    const full = ringLifetime(ring, 0.16, fill).totalS;
    expect(Math.abs(modelLifetimeS(m, 0.16) / full - 1)).toBeLessThan(1e-9);
  });
  it('Touschek lifetime: longer with more coupling, shorter with more current, RF-only equals the flat default here', () => {
    const fill = { filledBuckets: 474 };
    const t1 = ringLifetime(ring, 0.4, fill).touschekS;
    expect(ringLifetime({ ...ring, coupling: 0.02 }, 0.4, fill).touschekS).toBeGreaterThan(t1);
    expect(ringLifetime(ring, 0.16, fill).touschekS / t1).toBeCloseTo(0.4 / 0.16, 10);
    expect(ringLifetime({ ...ring, rfAcceptanceOnly: true }, 0.4, fill).touschekS).toBeCloseTo(t1, 6);
    // more RF voltage → larger RF acceptance but shorter bunch: net longer lifetime when the acceptance is RF-limited
    expect(ringLifetime({ ...ring, rf: { ...ring.rf, voltageV: 4e6 } }, 0.4, fill).touschekS).toBeGreaterThan(t1);
  });
});
