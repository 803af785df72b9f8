/**
 * Element maps: symplecticity, closed forms against a matrix exponential and textbook matrices,
 * the tilt/skew sign convention, coupled (Edwards–Teng) tunes against the eigenvalues of the
 * one-turn matrix, undulator focusing and energy loss against the textbook formulas.
 */
import { eigs } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { makeElement, type Element } from '../../../lattice/elements.ts';
import { makeLattice } from '../../../lattice/lattice.ts';
import { compileLattice, elementAffine4, elementMatrix6, expm } from '../../../sim/optics/maps.ts';
import { computeOptics } from '../../../sim/optics/summary.ts';
import { linearOptics } from '../../../sim/optics/twiss.ts';
import { CGAMMA_M_PER_EV3 } from '../../../sim/constants.ts';

const el = (spec: Record<string, unknown>) => makeElement(spec);
const compile1 = (e: Element, energyEV = 3e9) => compileLattice(makeLattice({ name: 't', energyEV, elements: [e] })).elements[0];

function m6(e: Element): number[][] {
  const out = elementMatrix6(compile1(e), new Float64Array(36));
  return Array.from({ length: 6 }, (_, r) => Array.from(out.subarray(r * 6, r * 6 + 6)));
}

/** ‖Mᵀ S M − S‖ with S the symplectic form of (x,px),(y,py),(δ,ct) — sign of the last pair as pyAT. */
function symplecticError(M: number[][]): number {
  const S = (i: number, j: number) => {
    if (i < 4) return i % 2 === 0 && j === i + 1 ? 1 : i % 2 === 1 && j === i - 1 ? -1 : 0;
    // (δ, ct) in this order, as the transverse pairs (ct is the path lengthening, pyAT)
    return i === 4 && j === 5 ? 1 : i === 5 && j === 4 ? -1 : 0;
  };
  let err = 0;
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 6; j++) {
      let v = 0;
      for (let a = 0; a < 6; a++) for (let b = 0; b < 6; b++) v += M[a][i] * S(a, b) * M[b][j];
      err = Math.max(err, Math.abs(v - S(i, j)));
    }
  }
  return err;
}

describe('element maps', () => {
  it('drift, quadrupole, combined-function bend with edges and fringe are symplectic to 1e-12', () => {
    const cases = [
      el({ type: 'drift', name: 'D', length: 2.5 }),
      el({ type: 'quadrupole', name: 'QF', length: 0.3, k1: 2.5 }),
      el({ type: 'quadrupole', name: 'QD', length: 0.3, k1: -2.7 }),
      el({ type: 'sbend', name: 'B', length: 1.6, angle: 0.19635, k1: -0.3, e1: 0.098, e2: 0.05, hgap: 0.02, fint: 0.5, fintx: 0.5 }),
      el({ type: 'quadrupole', name: 'QT', length: 0.3, k1: 1.1, tilt: 0.3 }),
      el({ type: 'quadrupole', name: 'QS', length: 0.3, k1: 0.4, k1s: 0.7 }),
    ];
    for (const c of cases) expect(symplecticError(m6(c))).toBeLessThan(1e-12);
  });

  it('quadrupole matrix is the textbook one (cos √k L, sin √k L/√k, cosh …)', () => {
    const k = 2.5, L = 0.3, w = Math.sqrt(k);
    const M = m6(el({ type: 'quadrupole', name: 'Q', length: L, k1: k }));
    expect(M[0][0]).toBeCloseTo(Math.cos(w * L), 14);
    expect(M[0][1]).toBeCloseTo(Math.sin(w * L) / w, 14);
    expect(M[1][0]).toBeCloseTo(-w * Math.sin(w * L), 14);
    expect(M[2][2]).toBeCloseTo(Math.cosh(w * L), 14);
    expect(M[3][2]).toBeCloseTo(w * Math.sinh(w * L), 14);
  });

  it('sector bend: dispersion column and path length row of a pure dipole (ρ(1−cos θ), sin θ, ρθ − ρ sin θ)', () => {
    const rho = 10, th = 0.2;
    const M = m6(el({ type: 'sbend', name: 'B', length: rho * th, angle: th }));
    expect(M[0][4]).toBeCloseTo(rho * (1 - Math.cos(th)), 10);
    expect(M[1][4]).toBeCloseTo(Math.sin(th), 10);
    expect(M[5][0]).toBeCloseTo(Math.sin(th), 10);
    expect(M[5][4]).toBeCloseTo(rho * th - rho * Math.sin(th), 10);
  });

  it('closed forms agree with the matrix exponential of the generator (1e-13)', () => {
    const e = compile1(el({ type: 'sbend', name: 'B', length: 1.2, angle: 0.1, k1: -0.8 }));
    const got = new Float64Array(20);
    elementAffine4(e, 0.01, got, 0);
    const a = 1 / 1.01, h = e.h;
    const A = new Float64Array(25);
    A[1] = a; A[5] = -(h * h + e.k1); A[9] = h * 0.01; A[13] = a; A[17] = e.k1;
    const X = expm(A, 5, e.length, new Float64Array(25));
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) expect(Math.abs(got[r * 4 + c] - X[r * 5 + c])).toBeLessThan(1e-13);
      expect(Math.abs(got[16 + r] - X[r * 5 + 4])).toBeLessThan(1e-13);
    }
  });

  it('a normal quadrupole tilted by π/4 is a negative skew quadrupole (MAD-X convention)', () => {
    const A = m6(el({ type: 'quadrupole', name: 'QT', length: 0.2, k1: 1.5, tilt: Math.PI / 4 }));
    const B = m6(el({ type: 'quadrupole', name: 'QS', length: 0.2, k1s: -1.5 }));
    for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) expect(A[r][c]).toBeCloseTo(B[r][c], 12);
  });
});

function fodo(extra: Element[] = [], k = 1.2): Element[] {
  return [
    el({ type: 'quadrupole', name: 'QF', length: 0.2, k1: k }),
    el({ type: 'drift', name: 'D1', length: 0.5 }),
    el({ type: 'sbend', name: 'B1', length: 1.0, angle: Math.PI / 16 }),
    el({ type: 'drift', name: 'D2', length: 0.5 }),
    el({ type: 'quadrupole', name: 'QD', length: 0.2, k1: -k }),
    el({ type: 'drift', name: 'D3', length: 0.5 }),
    el({ type: 'sbend', name: 'B2', length: 1.0, angle: Math.PI / 16 }),
    el({ type: 'drift', name: 'D4', length: 0.5 }),
    ...extra,
  ];
}

describe('coupled optics (Edwards–Teng)', () => {
  it('mode tunes equal the eigen-tunes of the one-turn matrix, and β → uncoupled β as k1s → 0', () => {
    const skew = el({ type: 'quadrupole', name: 'SQ', length: 0.1, k1s: 0.05 });
    const lat = makeLattice({ name: 'fodo-skew', energyEV: 3e9, periodicity: 16, elements: fodo([skew]) });
    const opt = linearOptics(lat);
    expect(opt.coupled).toBe(true);
    const M = opt.periodMatrix;
    const rows = Array.from({ length: 4 }, (_, r) => Array.from(M.subarray(r * 4, r * 4 + 4)));
    const vals = (eigs(rows).values as unknown as Array<{ re: number; im: number } | number>).map((v) =>
      typeof v === 'number' ? { re: v, im: 0 } : v);
    const phases = vals.filter((v) => v.im > 0).map((v) => Math.atan2(v.im, v.re)).sort((a, b) => a - b);
    const got = opt.tunes.map((q) => ((q / 16) % 1) * 2 * Math.PI).map((p) => (p > Math.PI ? 2 * Math.PI - p : p)).sort((a, b) => a - b);
    expect(phases.length).toBe(2);
    expect(Math.abs(got[0] - phases[0])).toBeLessThan(1e-10);
    expect(Math.abs(got[1] - phases[1])).toBeLessThan(1e-10);

    const weak = linearOptics(makeLattice({ name: 'w', energyEV: 3e9, periodicity: 16, elements: fodo([el({ type: 'quadrupole', name: 'SQ', length: 0.1, k1s: 1e-7 })]) }));
    const plain = linearOptics(makeLattice({ name: 'p', energyEV: 3e9, periodicity: 16, elements: fodo([el({ type: 'drift', name: 'SQ', length: 0.1 })]) }));
    for (let i = 0; i < plain.twiss.s.length; i++) {
      expect(Math.abs(weak.twiss.betaX[i] / plain.twiss.betaX[i] - 1)).toBeLessThan(1e-5);
      expect(Math.abs(weak.twiss.betaY[i] / plain.twiss.betaY[i] - 1)).toBeLessThan(1e-5);
    }
  });
});

describe('undulators', () => {
  // 3 GeV, λu = 22 mm, K = 2, 4 m: h0 = K k_u/γ
  const E = 3e9, lam = 0.022, K = 0.5, N = 180;
  const und = el({ type: 'undulator', name: 'U22', length: lam * N, periodM: lam, periods: N, k: K });
  const base = fodo([el({ type: 'drift', name: 'DU', length: lam * N })]);
  const withId = fodo([und]);

  it('closed gap adds U0 = Cγ/(2π) E⁴ L K² k_u²/(2γ²) (= 1.266 keV · E²[GeV] ∫B²ds[T² m])', () => {
    const open = computeOptics(makeLattice({ name: 'open', energyEV: E, periodicity: 16, elements: base }));
    const closed = computeOptics(makeLattice({ name: 'closed', energyEV: E, periodicity: 16, elements: withId }));
    const gamma = E / 510998.95, ku = (2 * Math.PI) / lam;
    const dI2 = (16 * lam * N * (K * ku) ** 2) / (2 * gamma * gamma);
    const dU0 = (CGAMMA_M_PER_EV3 / (2 * Math.PI)) * E ** 4 * dI2;
    expect(Math.abs(closed.energyLossPerTurnEV - open.energyLossPerTurnEV - dU0) / dU0).toBeLessThan(1e-9);
    // textbook: B0 [T] = K / (93.36 λu[m]), ΔU0 = 1.2654 keV E²[GeV] B0² L/2 per device
    const B0 = K / (93.3729 * lam);
    const textbook = 16 * 1265.4 * 9 * ((B0 * B0 * lam * N) / 2);
    expect(Math.abs(dU0 - textbook) / textbook).toBeLessThan(2e-3);
    expect(closed.undulatorsOpen).not.toBeNull();
    expect(Math.abs(closed.undulatorsOpen!.energyLossPerTurnEV - open.energyLossPerTurnEV) / open.energyLossPerTurnEV).toBeLessThan(1e-12);
  });

  it('planar device focuses vertically by k_y = (K k_u)²/(2γ²): the vertical tune shift is β_y k_y L/(4π) per device', () => {
    const a = linearOptics(makeLattice({ name: 'a', energyEV: E, periodicity: 1, elements: base }));
    const b = linearOptics(makeLattice({ name: 'b', energyEV: E, periodicity: 1, elements: withId }));
    const gamma = E / 510998.95, ku = (2 * Math.PI) / lam;
    const ky = (K * ku) ** 2 / (2 * gamma * gamma);
    const i = a.twiss.names.indexOf('DU');
    const L = lam * N;
    const b0 = a.twiss.betaY[i], a0 = a.twiss.alphaY[i], g0 = (1 + a0 * a0) / b0;
    const betaAvg = b0 - a0 * L + (g0 * L * L) / 3;
    const dq = (betaAvg * ky * L) / (4 * Math.PI);
    expect(Math.abs(b.tunes[1] - a.tunes[1] - dq) / dq).toBeLessThan(1e-2); // first-order perturbation
    expect(Math.abs(b.tunes[0] - a.tunes[0])).toBeLessThan(1e-12);
  });
});

describe('coupled chromaticity', () => {
  it('a very weak skew quadrupole leaves the chromaticity unchanged (1e-6) and the result finite', async () => {
    const { chromaticity } = await import('../../../sim/optics/chromaticity.ts');
    const sext = [el({ type: 'sextupole', name: 'SF', length: 0.1, k2: 20 }), el({ type: 'sextupole', name: 'SD', length: 0.1, k2: -30 })];
    const plain = chromaticity(makeLattice({ name: 'p', energyEV: 3e9, periodicity: 16, elements: fodo([...sext, el({ type: 'drift', name: 'SQ', length: 0.1 })]) }));
    const weak = chromaticity(makeLattice({ name: 'w', energyEV: 3e9, periodicity: 16, elements: fodo([...sext, el({ type: 'quadrupole', name: 'SQ', length: 0.1, k1s: 1e-6 })]) }));
    expect(Math.abs(weak[0] - plain[0])).toBeLessThan(1e-6);
    expect(Math.abs(weak[1] - plain[1])).toBeLessThan(1e-6);
  });
});

describe('bends: rectangular magnets and fringe fields', () => {
  it('a rectangular bend (rbend, parallel faces) is horizontally a drift of length ρ sin θ = L cos(θ/2) (hard-edge, linear edges)', () => {
    const Lc = 1.2, th = 0.15;
    const M = m6(el({ type: 'rbend', name: 'RB', length: Lc, angle: th }));
    expect(M[0][0]).toBeCloseTo(1, 13);
    expect(M[0][1]).toBeCloseTo(Lc * Math.cos(th / 2), 13);
    expect(M[1][0]).toBeCloseTo(0, 13);
    expect(M[1][1]).toBeCloseTo(1, 13);
  });

  it('the fringe field reduces the vertical edge focusing to h tan(e − ψ), ψ = h·2hgap·fint·(1 + sin²e)/cos e', () => {
    const L = 1.0, th = 0.1, e = 0.05, hgap = 0.015, fint = 0.6;
    const h = th / L;
    const plain = m6(el({ type: 'sbend', name: 'B', length: L, angle: th, e1: e, e2: 0 }));
    const fringe = m6(el({ type: 'sbend', name: 'BF', length: L, angle: th, e1: e, e2: 0, hgap, fint }));
    const psi = (h * 2 * hgap * fint * (1 + Math.sin(e) ** 2)) / Math.cos(e);
    // fringe = plain · [[1, 0], [h (tan e − tan(e − ψ)), 1]] at the entrance (vertical plane)
    const d = h * (Math.tan(e) - Math.tan(e - psi));
    expect(fringe[2][2]).toBeCloseTo(plain[2][2] + plain[2][3] * d, 14);
    expect(fringe[3][2]).toBeCloseTo(plain[3][2] + plain[3][3] * d, 14);
    expect(fringe[0][0]).toBe(plain[0][0]); // horizontal untouched
  });
});

describe('undulator radiation integrals against a sliced field', () => {
  it('I1..I5 of a planar device equal the sum over 64 bend slices per period of h0 cos(k_u s) (5e-3)', async () => {
    const { bendIntegrals, undulatorIntegrals } = await import('../../../sim/optics/radiation.ts');
    const { elementAffine4, compileLattice: compile } = await import('../../../sim/optics/maps.ts');
    const E = 3e9, lam = 0.05, K = 5, periods = 20, slices = 64;
    const gamma = E / 510998.95, ku = (2 * Math.PI) / lam, h0 = (K * ku) / gamma;
    const ds = lam / slices;
    const els: Element[] = [];
    for (let p = 0; p < periods; p++) {
      for (let j = 0; j < slices; j++) {
        const s0 = j * ds, s1 = s0 + ds;
        const hAvg = (h0 / (ku * ds)) * (Math.sin(ku * s1) - Math.sin(ku * s0));
        els.push(el({ type: 'sbend', name: `W${j}`, length: ds, angle: hAvg * ds }));
      }
    }
    const ring = compile(makeLattice({ name: 'u', energyEV: E, elements: els }));
    // entrance Twiss of a typical straight, no lattice dispersion
    let beta = 8, alpha = 0.4, eta = 0, etap = 0;
    const b0 = beta, a0 = alpha, g0 = (1 + a0 * a0) / b0, L = lam * periods;
    const sum = new Float64Array(5), one = new Float64Array(5), M = new Float64Array(20);
    for (const e of ring.elements) {
      bendIntegrals(e, beta, alpha, eta, etap, one);
      for (let k = 0; k < 5; k++) sum[k] += one[k];
      elementAffine4(e, 0, M, 0);
      const m11 = M[0], m12 = M[1], m21 = M[4], m22 = M[5];
      const p = m11 * beta - m12 * alpha, q = m21 * beta - m22 * alpha;
      const nb = (p * p + m12 * m12) / beta;
      alpha = -(p * q + m12 * m22) / beta; beta = nb;
      // dispersion: (η, η') → M (η, η') + δ column (from the ±δ maps)
      const Mp = new Float64Array(20), Mm = new Float64Array(20);
      elementAffine4(e, 1e-6, Mp, 0); elementAffine4(e, -1e-6, Mm, 0);
      const ne = m11 * eta + m12 * etap + (Mp[16] - Mm[16]) / 2e-6;
      etap = m21 * eta + m22 * etap + (Mp[17] - Mm[17]) / 2e-6;
      eta = ne;
    }
    const formula = new Float64Array(5);
    undulatorIntegrals({ h0, ku, length: L, helical: false }, 0, b0 - a0 * L + (g0 * L * L) / 3, formula, 0);
    // measured: −1.6e-3, −8e-4, −1.2e-3, −2.4e-3, −2.3e-3 (piecewise-constant field, 64 slices)
    for (let k = 0; k < 5; k++) expect(Math.abs(sum[k] / formula[k] - 1)).toBeLessThan(5e-3);
  });
});
