/**
 * Closed forms of beamlines/devices/undulator.ts against independent evaluations and the published
 * constants of undulator.md (tolerances stated per test).
 */
import { describe, expect, it } from 'vitest';
import { beamFromTwiss, nanoterasuBeam } from '../../../beamlines/devices/beam.ts';
import * as U from '../../../beamlines/devices/undulator.ts';
import { besselJ, besselK, erf } from '../../../beamlines/devices/special.ts';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** An independent Bessel J_m (power series, fine for the x < 10 used here). */
function besselJSeries(m: number, x: number): number {
  if (m < 0) return (m % 2 === 0 ? 1 : -1) * besselJSeries(-m, x);
  let term = Math.pow(x / 2, m);
  for (let k = 1; k <= m; k++) term /= k;
  let s = term;
  for (let k = 1; k < 80; k++) {
    term *= -(x * x) / 4 / (k * (k + m));
    s += term;
  }
  return s;
}

describe('special functions', () => {
  it('Bessel J against tabulated values (DLMF / scipy) to 1e-14', () => {
    expect(Math.abs(besselJ(0, 1) - 0.7651976865579666)).toBeLessThan(1e-14);
    expect(Math.abs(besselJ(1, 1) - 0.44005058574493355)).toBeLessThan(1e-14);
    expect(Math.abs(besselJ(0, 2.404825557695773))).toBeLessThan(1e-14);
    expect(Math.abs(besselJ(3, -2) + 0.12894324947440205)).toBeLessThan(1e-14);
    for (const m of [0, 1, 2, 5, 9]) for (const x of [0.1, 0.7, 2.3, 4.9]) expect(Math.abs(besselJ(m, x) - besselJSeries(m, x))).toBeLessThan(1e-13);
  });
  it('erf and Bessel K against tabulated values to 1e-13', () => {
    expect(Math.abs(erf(Math.SQRT2) - 0.9544997361036416)).toBeLessThan(1e-14);
    expect(Math.abs(erf(0.5) - 0.5204998778130465)).toBeLessThan(1e-14);
    expect(Math.abs(erf(3) - 0.9999779095030014)).toBeLessThan(1e-14);
    expect(rel(besselK(2 / 3, 1), 0.49447506210420826)).toBeLessThan(1e-13);
    expect(rel(besselK(5 / 3, 0.5), 4.20484564683429)).toBeLessThan(1e-13); // scipy.special.kv(5/3, 0.5)
  });
});

describe('resonance and K', () => {
  it('E1 = 0.949634 E²[GeV]/(λu[cm](1+K²/2)) keV (undulator.md §2.3), to 2e-6 (the coefficient has 6 digits)', () => {
    for (const [lu, k] of [[0.056, 1.0], [0.022, 2.0], [0.032, 0.5]]) {
      const d = U.settingFor('planar', lu, 100, k);
      const e1 = U.resonanceEnergyEV(d, 3e9, 1);
      expect(rel(e1, (949.634 * 9) / (lu * 100 * (1 + (k * k) / 2)))).toBeLessThan(2e-6);
      expect(rel(U.resonanceEnergyEV(d, 3e9, 5), 5 * e1)).toBeLessThan(1e-15);
      expect(rel(U.kForEnergy(lu, 3e9, 3, 3 * e1), k)).toBeLessThan(1e-12);
    }
  });
  it('K = 93.3729 B0 λu (undulator.md §2.2) to 1e-6; Ec = 0.665 E² B keV to 1e-3', () => {
    expect(rel(U.kFromField(1, 1), 93.3729)).toBeLessThan(1e-6);
    expect(rel(U.fieldFromK(U.kFromField(0.8, 0.05), 0.05), 0.8)).toBeLessThan(1e-15);
    expect(rel(U.criticalEnergyEV(1.6, 3e9), 665 * 9 * 1.6)).toBeLessThan(1e-3);
  });
  it('Halbach gap model gives K ≈ 2.37 at 4 mm for a 22 mm PPM array (third-party U22 preset, nanoterasu.md S13) within 2 %', () => {
    const b = U.fieldFromGap({ model: 'halbach', remanenceT: 1.2, blocksPerPeriod: 4, blockHeightM: 0.011 }, 0.004, 0.022);
    expect(rel(U.kFromField(b, 0.022), 2.37)).toBeLessThan(0.02);
  });
});

describe('gap model', () => {
  it('gapForField inverts fieldFromGap for the Halbach and fitted forms (1e-12), NaN beyond reach', () => {
    const models: U.GapModel[] = [
      { model: 'halbach', remanenceT: 1.2, blocksPerPeriod: 4, blockHeightM: 0.011 },
      { model: 'exp-fit', a: 1.2, b: -4.6, c: 0.9 },
      { model: 'exp-fit', a: 0.9, b: -3.3, c: 0 },
    ];
    for (const m of models) for (const g of [0.004, 0.008, 0.015]) {
      const b = U.fieldFromGap(m, g, 0.022);
      expect(Math.abs(U.gapForField(m, b, 0.022) - g)).toBeLessThan(1e-12);
    }
    expect(U.gapForField(models[0], 5, 0.022)).toBeNaN();
  });
});

describe('Fn(K)', () => {
  it('planar Fn equals Kim\'s formula evaluated with an independent Bessel series, to 1e-12', () => {
    for (const k of [0.3, 1, 2.2, 3.5]) for (const n of [1, 3, 5, 7, 9]) {
      const x = (n * k * k) / (4 * (1 + (k * k) / 2));
      const m = (n - 1) / 2;
      const expected = ((n * n * k * k) / (1 + (k * k) / 2) ** 2) * (besselJSeries(m, x) - besselJSeries(m + 1, x)) ** 2;
      expect(Math.abs(U.fn(U.settingFor('planar', 0.05, 10, k), n) - expected)).toBeLessThan(1e-12);
    }
  });
  it('helical: F1 = 2K0²/(1+K0²)², F3 = F5 = 0 on axis (1e-15)', () => {
    for (const k of [0.5, 1, 2]) {
      const d = U.settingFor('helical', 0.05, 10, k);
      expect(rel(U.fn(d, 1), (2 * k * k) / (1 + k * k) ** 2)).toBeLessThan(1e-14);
      expect(U.fn(d, 3)).toBeLessThan(1e-15);
      expect(U.fn(d, 5)).toBeLessThan(1e-15);
      expect(U.onAxisHarmonics(d, 9)).toEqual([1]);
    }
  });
  it('elliptical reduces to planar for kx = 0 and to the linear-vertical device for ky = 0; even harmonics vanish', () => {
    const e = { type: 'elliptical' as const, periodM: 0.05, periods: 10, kx: 1e-300, ky: 1.4, phaseRad: Math.PI / 2 };
    expect(rel(U.fn(e, 3), U.fn(U.settingFor('planar', 0.05, 10, 1.4), 3))).toBeLessThan(1e-13);
    expect(rel(U.fn(U.settingFor('elliptical', 0.05, 10, 1.4, 'linear-vertical'), 3), U.fn(U.settingFor('planar', 0.05, 10, 1.4), 3))).toBeLessThan(1e-14);
    expect(U.fn(U.settingFor('planar', 0.05, 10, 1.4), 2)).toBe(0);
    expect(() => U.fn({ ...e, kx: 1, phaseRad: 0.3 }, 1)).toThrow(U.NoClosedFormError);
  });
});

describe('flux and flux density (Kim)', () => {
  const beam = nanoterasuBeam('long');
  it('central-cone flux = 1.431e14 N Qn I and on-axis density = 1.744e14 N² E² I Fn (rounded coefficients: 1e-3)', () => {
    const d = U.settingFor('planar', 0.056, 70, 1.0);
    expect(rel(U.centralConeFlux(d, beam, 1), 1.431e14 * 70 * U.qn(d, 1) * 0.4)).toBeLessThan(1e-3);
    expect(rel(U.onAxisFluxDensity(d, beam, 3), 1.744e14 * 70 * 70 * 9 * 0.4 * U.fn(d, 3))).toBeLessThan(1e-3);
  });
  it('Fn flux = 2 × (on-axis density) × 2π σr′² with σr′ = √(λ/2L) (undulator.md §2.6), to 1e-12', () => {
    const d = U.settingFor('planar', 0.048, 83, 1.2);
    for (const n of [1, 3, 5]) {
      const lam = U.HC_EVM / U.resonanceEnergyEV(d, beam.energyEV, n);
      const srp2 = lam / (2 * U.lengthM(d)) * 1e6; // mrad²
      expect(rel(U.centralConeFlux(d, beam, n), 2 * U.onAxisFluxDensity(d, beam, n) * 2 * Math.PI * srp2)).toBeLessThan(1e-12);
    }
  });
});

describe('natural beam, brilliance, coherent fraction', () => {
  it('Qa(0) = 1, Qa(1) from erf(√2) = 0.9544997361 (T&K 2009 eq. 17), series and closed forms meet at x = 0.01 (1e-12)', () => {
    expect(U.qa(0)).toBe(1);
    const expected = Math.sqrt(2 / (-1 + Math.exp(-2) + Math.sqrt(2 * Math.PI) * 0.9544997361036416));
    expect(rel(U.qa(1), expected)).toBeLessThan(1e-14);
    const x = 0.0100001;
    const direct = Math.sqrt((2 * x * x) / (-1 + Math.exp(-2 * x * x) + Math.sqrt(2 * Math.PI) * x * erf(Math.SQRT2 * x)));
    expect(rel(U.qa(0.0099999), direct)).toBeLessThan(1e-9); // the direct form itself loses ~1e-10 to cancellation here
  });
  it('brilliance = Fn/((2π)² ΣxΣx′ΣyΣy′) with and without energy spread, as written out by hand (1e-12)', () => {
    const beam = nanoterasuBeam('short'); // with dispersion η = 0.053 m
    const d = U.settingFor('planar', 0.022, 180, 1.5);
    for (const n of [1, 5]) {
      const lam = U.HC_EVM / U.resonanceEnergyEV(d, beam.energyEV, n);
      const L = U.lengthM(d);
      const F = U.centralConeFlux(d, beam, n);
      for (const withSpread of [false, true]) {
        const eps = withSpread ? 2 * Math.PI * n * 180 * beam.energySpread : 0;
        const srp = Math.sqrt(lam / (2 * L)) * (withSpread ? U.qa(eps) : 1);
        const sr = (Math.sqrt(2 * lam * L) / (4 * Math.PI)) * (withSpread ? Math.pow(U.qa(eps / 4), 2 / 3) : 1);
        const Sx = Math.sqrt(beam.emittanceXM * beam.betaXM + (beam.etaXM * beam.energySpread) ** 2 + sr * sr);
        const Sxp = Math.sqrt(beam.emittanceXM / beam.betaXM + srp * srp);
        const Sy = Math.sqrt(beam.emittanceYM * beam.betaYM + sr * sr);
        const Syp = Math.sqrt(beam.emittanceYM / beam.betaYM + srp * srp);
        const sp = U.sourcePoint(d, beam, n, withSpread ? 'kimEnergySpread' : 'kim');
        expect(rel(sp.brilliance, (F / (4 * Math.PI * Math.PI * Sx * Sxp * Sy * Syp)) * 1e-12)).toBeLessThan(1e-12);
        expect(rel(sp.coherentFraction, (lam / (4 * Math.PI)) ** 2 / (Sx * Sxp * Sy * Syp))).toBeLessThan(1e-12);
      }
    }
  });
  it('energy spread lowers the brilliance more at high harmonics', () => {
    const h = (n: number) => U.harmonicSummary(U.settingFor('planar', 0.022, 180, 1.5), nanoterasuBeam('long'), n);
    const r1 = h(1).brilliance.kimEnergySpread / h(1).brilliance.kim;
    const r7 = h(7).brilliance.kimEnergySpread / h(7).brilliance.kim;
    expect(r1).toBeLessThan(1);
    expect(r7).toBeLessThan(r1);
  });
  it('reproduces the coherent-fraction table of nanoterasu.md §5.2 (Kim, L = 4 m, no energy spread) to its printed digits', () => {
    const table: Record<string, [number, number, number][]> = {
      '0.01': [[100, 0.18, 0.005], [300, 0.094, 0.0006], [500, 0.066, 0.0006], [1000, 0.038, 0.0006], [3000, 0.013, 0.0006]],
      '0.02': [[100, 0.17, 0.005], [300, 0.087, 0.0006], [500, 0.059, 0.0006], [1000, 0.032, 0.0006], [3000, 0.010, 0.0006]],
    };
    for (const [k, rows] of Object.entries(table)) {
      const kappa = Number(k);
      // εx + εy = 1.14 nm split by the coupling κ (nanoterasu.md §1, §5.2)
      const beam = beamFromTwiss({ energyEV: 3e9, currentA: 0.4, emittanceXM: 1.14e-9 / (1 + kappa), emittanceYM: (kappa * 1.14e-9) / (1 + kappa), energySpread: 8.39e-4 }, { betaXM: 15.18, betaYM: 3.71 }, 'test');
      for (const [e, f, tol] of rows) expect(Math.abs(U.sourceAtWavelength(U.HC_EVM / e, 4.0, 100, beam, 'kim').coherentFraction - f)).toBeLessThan(tol);
    }
  });
  it('conventions differ as undulator.md §2.7 says: σrσr′ = λ/4π (Kim), λ/2π (T&K), ≈ 1.89 λ/4π (Elleaume)', () => {
    const lam = 1e-9;
    const k = U.naturalPhotonBeam(lam, 4, 'kim');
    const t = U.naturalPhotonBeam(lam, 4, 'tanaka-kitamura');
    const e = U.naturalPhotonBeam(lam, 4, 'elleaume');
    expect(rel(k.sigmaRM * k.sigmaRPrimeRad, lam / (4 * Math.PI))).toBeLessThan(1e-14);
    expect(rel(t.sigmaRM * t.sigmaRPrimeRad, lam / (2 * Math.PI))).toBeLessThan(1e-14);
    expect(rel(e.sigmaRM * e.sigmaRPrimeRad, (1.89 * lam) / (4 * Math.PI))).toBeLessThan(1e-3);
  });
});

describe('tuning curves', () => {
  it('harmonic n runs from E_n(Kmax) to E_n(Kmin); harmonics 1 and 3 overlap when (1+Kmax²/2)/(1+Kmin²/2) ≥ 3', () => {
    const beam = nanoterasuBeam('long');
    const c1 = U.tuningCurve('planar', 0.022, 180, 0.5, 2.4, beam, 1, { points: 21 });
    const c3 = U.tuningCurve('planar', 0.022, 180, 0.5, 2.4, beam, 3, { points: 21 });
    expect(c1[0].k).toBe(2.4);
    expect(c1[20].k).toBeCloseTo(0.5, 14);
    for (let i = 1; i < 21; i++) expect(c1[i].energyEV).toBeGreaterThan(c1[i - 1].energyEV);
    expect((1 + 2.4 ** 2 / 2) / (1 + 0.5 ** 2 / 2)).toBeGreaterThan(3);
    expect(c3[0].energyEV).toBeLessThan(c1[20].energyEV);
  });
});

describe('wiggler', () => {
  it('on-axis density = 2N × 1.327e13 E² I H2(y) and flux per mrad = 2N × 2.457e13 E I G1(y) (Data Booklet; 4-digit coefficients: 2e-3)', () => {
    const beam = nanoterasuBeam('short');
    const d = U.settingFor('wiggler', 0.06, 24, 8.96);
    const ec = U.criticalEnergyEV(U.fieldFromK(8.96, 0.06), 3e9);
    // H2(1) = K_{2/3}(1/2)² = 1.4542682857406, G1(1) = ∫_1^∞ K_{5/3} = 0.6514228153553635 (mpmath)
    expect(rel(U.wigglerOnAxisFluxDensity(d, beam, ec), 48 * 1.327e13 * 9 * 0.4 * 1.4542682857406)).toBeLessThan(2e-3);
    expect(rel(U.wigglerFluxPerMrad(d, beam, ec), 48 * 2.457e13 * 3 * 0.4 * 0.6514228153553635)).toBeLessThan(2e-3);
  });
});
