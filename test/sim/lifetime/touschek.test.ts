import { describe, expect, it } from 'vitest';
import {
  besselI0Scaled, bruckD, expint1, gaussLegendre, logExpIntegral, piwinskiIntegral, touschekLifetime, type TouschekInput,
} from '../../../sim/lifetime/touschek.ts';

/** Composite Simpson rule on [a, b] (an independent integrator for the checks below). */
function simpson(f: (x: number) => number, a: number, b: number, n: number): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += f(a + i * h) * (i % 2 ? 4 : 2);
  return (s * h) / 3;
}

/** Uniform optics, no dispersion: the case where the Touschek integral has a closed form. */
function uniform(over: Partial<TouschekInput> = {}): TouschekInput {
  return {
    sM: [0, 10], betaX: [5, 5], alphaX: [0, 0], etaX: [0, 0], etaPX: [0, 0], betaY: [5, 5],
    momentumAcceptancePos: 0.03, momentumAcceptanceNeg: 0.03,
    emittanceX: 1e-9, emittanceY: 1e-11, energySpread: 8e-4, bunchLengthM: 3e-3, bunchPopulation: 6e9, energyEV: 3e9,
    ...over,
  };
}

describe('special functions', () => {
  it('E1 and ∫ ln(u) e^-u/u du match a direct numerical integral to 1e-8', () => {
    for (const x of [0.05, 0.3, 1, 2.5]) {
      // substitution u = x e^t removes the 1/u singularity
      const e1 = simpson((t) => Math.exp(-x * Math.exp(t)), 0, Math.log(80 / x), 20000);
      const g = simpson((t) => Math.log(x * Math.exp(t)) * Math.exp(-x * Math.exp(t)), 0, Math.log(80 / x), 20000);
      expect(Math.abs(expint1(x) - e1)).toBeLessThan(1e-8 * Math.max(1, Math.abs(e1)));
      expect(Math.abs(logExpIntegral(x) - g)).toBeLessThan(1e-8 * Math.max(1, Math.abs(g)));
    }
  });

  it('Bruck D(ε) closed form equals its integral definition ε^{3/2}∫(u/ε − ½ln(u/ε) − 1)e^{-u}/u² du to 1e-7', () => {
    for (const eps of [1e-3, 0.01, 0.1, 0.3, 1, 3, 5.9, 8]) {
      const integ = simpson((t) => {
        const u = eps * Math.exp(t);
        return ((u / eps - 0.5 * Math.log(u / eps) - 1) * Math.exp(-u)) / u; // du/u² · u
      }, 0, Math.log((eps + 70) / eps), 40000);
      expect(Math.abs(bruckD(eps) / (Math.pow(eps, 1.5) * integ) - 1)).toBeLessThan(1e-7);
    }
  });

  it('scaled I0 matches its power series to 2e-7 relative', () => {
    for (const x of [0.1, 1, 3.7, 3.8, 10, 40]) {
      let s = 0, t = 1;
      for (let k = 0; k < 200; k++) { if (k > 0) t *= (x * x) / (4 * k * k); s += t; }
      expect(Math.abs(besselI0Scaled(x) / (s * Math.exp(-x)) - 1)).toBeLessThan(2e-7);
    }
  });
});

describe('Touschek lifetime, closed-form check (flat momentum acceptance, uniform optics)', () => {
  it('the quadrature used for the Piwinski integral reproduces Bruck D(ε) on the non-relativistic integrand to 1e-10', () => {
    // Leading order in τ of Piwinski's bracket: (τ/τm − 1 − ½ ln(τ/τm)) / τ², kernel e^{-cτ}: ∫ = c D(ε)/ε^{3/2}, ε = cτm.
    for (const [tauM, c] of [[0.046 ** 2, 145], [1e-4, 2000], [9e-4, 50]]) {
      const eps = c * tauM;
      const q = gaussLegendre((u) => {
        const tau = tauM * Math.exp(u);
        return ((tau / tauM - 1 - 0.5 * Math.log(tau / tauM)) / (tau * tau)) * Math.exp(-c * tau) * tau;
      }, 0, Math.log(Math.max(100, 1 + 60 / eps)), 48);
      expect(Math.abs(q / ((c * bruckD(eps)) / eps ** 1.5) - 1)).toBeLessThan(1e-10);
    }
  });

  it('Piwinski numerical integral → Bruck closed form for a flat beam (σy′ ≪ σx′): within 0.7 % at δ = 1 %, 1.5 % at 4.6 %', () => {
    // σy' = 1e-3 σx' (βy = 5000 m, εy = 1e-14); the remaining gap is the relativistic Møller correction, O(τ).
    const flat = { betaY: [5000, 5000], emittanceY: 1e-14 };
    for (const [delta, tol] of [[0.01, 0.007], [0.03, 0.013], [0.046, 0.015]]) {
      const p = touschekLifetime(uniform({ ...flat, momentumAcceptancePos: delta, momentumAcceptanceNeg: delta, method: 'piwinski' }));
      const b = touschekLifetime(uniform({ ...flat, momentumAcceptancePos: delta, momentumAcceptanceNeg: delta, method: 'bruck' }));
      expect(Math.abs(p.lifetimeS / b.lifetimeS - 1)).toBeLessThan(tol);
      expect(p.lifetimeS).toBeLessThan(b.lifetimeS); // the relativistic terms add loss
    }
  });

  it('Bruck lifetime equals the hand-evaluated closed form r_e² c N D(ε)/(8π σx σy σs γ² δ³) to 1e-12', () => {
    const inp = uniform();
    const re = 2.8179403262e-15, c = 299792458, gamma = 3e9 / 510998.95, d = 0.03;
    const sx = Math.sqrt(5 * 1e-9), sy = Math.sqrt(5 * 1e-11), sxp = Math.sqrt(1e-9 / 5);
    const rate = (re * re * c * 6e9 * bruckD((d / (gamma * sxp)) ** 2)) / (8 * Math.PI * sx * sy * 3e-3 * gamma * gamma * d ** 3);
    expect(Math.abs(touschekLifetime({ ...inp, method: 'bruck' }).lifetimeS * rate - 1)).toBeLessThan(1e-12);
  });
});

describe('Touschek lifetime, scalings', () => {
  const base = touschekLifetime(uniform()).lifetimeS;
  it('1/τ ∝ N and ∝ 1/σs (exactly, to 1e-12)', () => {
    expect(touschekLifetime(uniform({ bunchPopulation: 12e9 })).lifetimeS / base).toBeCloseTo(0.5, 12);
    expect(touschekLifetime(uniform({ bunchLengthM: 6e-3 })).lifetimeS / base).toBeCloseTo(2, 12);
  });
  it('an asymmetric acceptance averages the δ+ and δ− rates', () => {
    const r1 = touschekLifetime(uniform({ momentumAcceptancePos: 0.02, momentumAcceptanceNeg: 0.02 })).ratePerS;
    const r2 = touschekLifetime(uniform({ momentumAcceptancePos: 0.04, momentumAcceptanceNeg: 0.04 })).ratePerS;
    const r = touschekLifetime(uniform({ momentumAcceptancePos: 0.04, momentumAcceptanceNeg: 0.02 })).ratePerS;
    expect(Math.abs(r / (0.5 * (r1 + r2)) - 1)).toBeLessThan(1e-12);
  });
  it('a local acceptance array gives the length-weighted average of local rates', () => {
    const inp = uniform({ sM: [0, 1, 3], betaX: [5, 5, 5], alphaX: [0, 0, 0], etaX: [0, 0, 0], etaPX: [0, 0, 0], betaY: [5, 5, 5],
      momentumAcceptancePos: [0.03, 0.03, 0.02], momentumAcceptanceNeg: [0.03, 0.03, 0.02] });
    const res = touschekLifetime(inp);
    const l = res.localRatePerS;
    expect(Math.abs(res.ratePerS / ((0.5 * (l[0] + l[1]) * 1 + 0.5 * (l[1] + l[2]) * 2) / 3) - 1)).toBeLessThan(1e-14);
    expect(l[2]).toBeGreaterThan(l[0]);
  });
  it('the acceptance dominates: δ³·τ/D(ε) is constant across δ (Bruck scaling) to 1e-12', () => {
    const t = (d: number) => touschekLifetime(uniform({ momentumAcceptancePos: d, momentumAcceptanceNeg: d, method: 'bruck' })).lifetimeS;
    const gamma = 3e9 / 510998.95, sxp = Math.sqrt(1e-9 / 5);
    const k = (d: number) => t(d) * bruckD((d / (gamma * sxp)) ** 2) / d ** 3;
    expect(k(0.05) / k(0.02)).toBeCloseTo(1, 12);
  });
  it('Piwinski and Bruck (with the H-function) agree within 10 % with dispersion in a realistic 4th-generation cell', () => {
    const disp = uniform({ sM: [0, 1], betaX: [2, 2], alphaX: [1, 1], etaX: [0.1, 0.1], etaPX: [0.05, 0.05], betaY: [10, 10] });
    const p = touschekLifetime(disp).lifetimeS;
    const b = touschekLifetime({ ...disp, method: 'bruck' }).lifetimeS;
    expect(Math.abs(p / b - 1)).toBeLessThan(0.1);
  });
});

describe('Touschek input errors', () => {
  it('names the bad field', () => {
    expect(() => touschekLifetime(uniform({ momentumAcceptancePos: -0.02 }))).toThrow(/momentumAcceptancePos/);
    expect(() => touschekLifetime(uniform({ betaY: [5, -1] }))).toThrow(/betaY/);
    expect(() => touschekLifetime(uniform({ emittanceY: 0 }))).toThrow(/emittanceY/);
    expect(() => touschekLifetime(uniform({ etaX: [0] }))).toThrow(/etaX: has 1 values/);
  });
  it('piwinskiIntegral is positive and finite for flat beams with B1 ≈ B2 ≫ 1', () => {
    const v = piwinskiIntegral(1e-3, 1e9, 1e9 - 200, 200);
    expect(Number.isFinite(v) && v > 0).toBe(true);
  });
});
