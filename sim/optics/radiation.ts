/**
 * Synchrotron radiation integrals and the equilibrium beam (M. Sands, SLAC-121 (1970), §4–5;
 * R. H. Helm, M. J. Lee, P. L. Morton, M. Sands, SLAC-PUB-1193 (1973)).
 *
 * Bends (horizontal, curvature h, gradient k1, edges e1, e2): inside the body the dispersion obeys
 * η'' = −(h² + k1) η + h (pyAT's expanded model at δ = 0), so from the entrance values after the
 * entrance edge (η1, η1' = η0' + h tan e1 η0, α1 = α0 − β0 h tan e1):
 *   η(s) = η1 c(s) + η1' s(s) + h d(s),  c, s, d the oscillator functions of K = h² + k1 (maps.ts),
 *   H(s) = γ1 (η1 − h d)² + 2 α1 (η1 − h d)(η1' + h s) + β1 (η1' + h s)²
 * (H is invariant under the homogeneous map, so H(s) is H1 at M(s)⁻¹(η, η') = (η1 − h d, η1' + h s)).
 *   I1 = h ∫η,  I2 = h² L,  I3 = |h|³ L,  I4 = h (h² + 2 k1) ∫η − h² (η_in tan e1 + η_out tan e2),
 *   I5 = |h|³ ∫H.
 * The integrands are entire functions of s; they are integrated by 12-point Gauss–Legendre on
 * sub-intervals of at most 0.5 in √|K|·s, which is exact to rounding (the same integrals pyAT's
 * get_radiation_integrals takes in closed form, without their cancellations at small K).
 *
 * Undulators (ideal, sinusoidal field; h0 = B0/Bρ = K k_u/γ, k_u = 2π/λu). Planar (vertical field,
 * horizontal wiggle, h = h0 cos k_u s): I2 = L h0²/2, I3 = 4 L h0³/(3π),
 * I5 = L [⟨H⟩ h0³ 4/(3π) + ⟨βx⟩ h0⁵/k_u² · 4/(15π)] (the second term from the device's own dispersion
 * η' = (h0/k_u) sin k_u s: ⟨sin² |cos|³⟩ = 4/(15π)); I1 = −L h0²/(2 k_u²), I4 = −3 L h0⁴/(8 k_u²)
 * (own dispersion; lattice-η terms average out). Helical (|h| = h0, K per component):
 * I2 = L h0², I3 = L h0³, I5 = L h0³ [⟨H⟩ + ⟨βx⟩ h0²/(2 k_u²)], I1 = −L h0²/(2 k_u²), I4 = −L h0⁴/(2 k_u²).
 * (R. P. Walker, "Wigglers", CERN Accelerator School, CERN 98-04 (1998), the radiation integrals of
 * a wiggler; derived here from the field h0 cos k_u s and checked against a sliced field in
 * test/sim/optics/maps.test.ts.)
 */
import { CGAMMA_M_PER_EV3, CQ_M, C_LIGHT } from '../constants.ts';
import { MAP_THICK, oscillator, type CompiledElement } from './maps.ts';
import type { LinearOptics, TwissTable } from './twiss.ts';

export interface RadiationIntegrals { I1: number; I2: number; I3: number; I4: number; I5: number }

/** Per-element contributions (one period) and the full-ring sums (× periodicity). */
export interface RadiationIntegralsResult {
  /** Full ring, all sources. */
  total: RadiationIntegrals;
  /** Full ring, bends only. */
  bends: RadiationIntegrals;
  /** Full ring, undulators only. */
  undulators: RadiationIntegrals;
  /** n × 5 per element of one period (I1..I5). */
  perElement: Float64Array;
}

// Gauss–Legendre nodes and weights on [−1, 1] (Newton on P_n; computed once).
const GL_N = 12;
const GL_X = new Float64Array(GL_N);
const GL_W = new Float64Array(GL_N);
(function initGaussLegendre() {
  for (let i = 0; i < GL_N; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (GL_N + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1, p1 = x;
      for (let k = 2; k <= GL_N; k++) { const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k; p0 = p1; p1 = p2; }
      dp = (GL_N * (x * p1 - p0)) / (x * x - 1);
      const dx = p1 / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    GL_X[i] = x;
    GL_W[i] = 2 / ((1 - x * x) * dp * dp);
  }
})();

const OSC = new Float64Array(4);

/** I1..I5 of one bend from the Twiss at its entrance; writes 5 numbers at out[o..]. */
export function bendIntegrals(
  el: CompiledElement, beta0: number, alpha0: number, eta0: number, etap0: number, out: Float64Array, o = 0,
): void {
  const h = el.h, L = el.length, k1 = el.k1;
  const t1 = h * Math.tan(el.e1);
  const alpha1 = alpha0 - beta0 * t1;
  const gamma1 = (1 + alpha1 * alpha1) / beta0;
  const etap1 = etap0 + eta0 * t1;
  const K = h * h + k1;
  const w = Math.sqrt(Math.abs(K));
  const m = Math.max(1, Math.ceil((w * L) / 0.5));
  const len = L / m;
  let intEta = 0, intH = 0;
  for (let j = 0; j < m; j++) {
    const a = j * len;
    for (let q = 0; q < GL_N; q++) {
      const s = a + ((GL_X[q] + 1) * len) / 2;
      const wt = (GL_W[q] * len) / 2;
      oscillator(K, s, OSC);
      const c = OSC[0], sn = OSC[1], d = OSC[2];
      const eta = eta0 * c + etap1 * sn + h * d;
      const u = eta0 - h * d, v = etap1 + h * sn;
      intEta += wt * eta;
      intH += wt * (gamma1 * u * u + 2 * alpha1 * u * v + beta0 * v * v);
    }
  }
  oscillator(K, L, OSC);
  const etaOut = eta0 * OSC[0] + etap1 * OSC[1] + h * OSC[2];
  const ah = Math.abs(h);
  out[o] = h * intEta;
  out[o + 1] = h * h * L;
  out[o + 2] = ah * ah * ah * L;
  out[o + 3] = h * (h * h + 2 * k1) * intEta - h * h * (eta0 * Math.tan(el.e1) + etaOut * Math.tan(el.e2));
  out[o + 4] = ah * ah * ah * intH;
}

/** Parameters of an undulator for its integrals (planar or helical). */
export interface UndulatorSource { h0: number; ku: number; length: number; helical: boolean }

export function undulatorIntegrals(
  u: UndulatorSource, Havg: number, betaXavg: number, out: Float64Array, o = 0,
): void {
  const { h0, ku, length: L } = u;
  if (u.helical) {
    out[o] = (-L * h0 * h0) / (2 * ku * ku);
    out[o + 1] = L * h0 * h0;
    out[o + 2] = L * h0 ** 3;
    out[o + 3] = (-L * h0 ** 4) / (2 * ku * ku);
    out[o + 4] = L * h0 ** 3 * (Havg + (betaXavg * h0 * h0) / (2 * ku * ku));
  } else {
    out[o] = (-L * h0 * h0) / (2 * ku * ku);
    out[o + 1] = (L * h0 * h0) / 2;
    out[o + 2] = (4 * L * h0 ** 3) / (3 * Math.PI);
    out[o + 3] = (-3 * L * h0 ** 4) / (8 * ku * ku);
    out[o + 4] = L * ((Havg * h0 ** 3 * 4) / (3 * Math.PI) + ((betaXavg * h0 ** 5) / (ku * ku)) * (4 / (15 * Math.PI)));
  }
}

function curlyH(t: TwissTable, i: number): number {
  const b = t.betaX[i], a = t.alphaX[i], e = t.etaX[i], ep = t.etaPX[i];
  return ((1 + a * a) / b) * e * e + 2 * a * e * ep + b * ep * ep;
}

/** Radiation integrals of the ring from its linear optics. */
export function radiationIntegrals(opt: LinearOptics, opts: { undulators?: boolean } = {}): RadiationIntegralsResult {
  const ring = opt.ring;
  const t = opt.twiss;
  const per = new Float64Array(ring.n * 5);
  const bends = new Float64Array(5), und = new Float64Array(5);
  const withUnd = opts.undulators ?? true;
  const lat = ring.lattice;
  for (let i = 0; i < ring.n; i++) {
    const el = ring.elements[i];
    if (el.h !== 0 && el.kind === MAP_THICK) {
      bendIntegrals(el, t.betaX[i], t.alphaX[i], t.etaX[i], t.etaPX[i], per, i * 5);
      for (let k = 0; k < 5; k++) bends[k] += per[i * 5 + k];
    } else if (el.type === 'undulator' && withUnd && (el.gx > 0 || el.gy > 0)) {
      // (gx = gy = 0 when the ring was compiled with the gaps open)
      const raw = lat.elements[i];
      if (raw.type !== 'undulator' || raw.k === 0) continue;
      const ku = (2 * Math.PI) / raw.periodM;
      const src = { h0: (raw.k * ku) / ring.gamma, ku, length: raw.length, helical: raw.kind === 'helical' };
      const Havg = 0.5 * (curlyH(t, i) + curlyH(t, i + 1));
      // ⟨βx⟩ over a drift-like device from the entrance values: β(s) = β0 − 2α0 s + γ0 s²
      const b0 = t.betaX[i], a0 = t.alphaX[i], g0 = (1 + a0 * a0) / b0, L = raw.length;
      const betaAvg = b0 - a0 * L + (g0 * L * L) / 3;
      undulatorIntegrals(src, Havg, betaAvg, per, i * 5);
      for (let k = 0; k < 5; k++) und[k] += per[i * 5 + k];
    }
  }
  const P = ring.periodicity;
  const pack = (v: Float64Array): RadiationIntegrals => ({ I1: v[0] * P, I2: v[1] * P, I3: v[2] * P, I4: v[3] * P, I5: v[4] * P });
  const b = pack(bends), u = pack(und);
  return {
    total: { I1: b.I1 + u.I1, I2: b.I2 + u.I2, I3: b.I3 + u.I3, I4: b.I4 + u.I4, I5: b.I5 + u.I5 },
    bends: b, undulators: u, perElement: per,
  };
}

/** The equilibrium parameters of the electron beam (formulas of ../shared/reference/lattices/README.md). */
export interface Equilibrium {
  energyLossPerTurnEV: number;
  emittanceM: number;
  energySpread: number;
  dampingPartition: [number, number, number];
  dampingTimesS: [number, number, number];
  revolutionPeriodS: number;
  momentumCompaction: number;
}

/**
 * U0 = Cγ/(2π) E⁴ I2; εx = Cq γ² I5/(Jx I2); σδ² = Cq γ² I3/(Je I2); J = [1 − I4/I2, 1, 2 + I4/I2];
 * τ_i = 2 E T0/(J_i U0), T0 = C/(βc) (Sands, SLAC-121, chapters 4–5; the definitions pyAT uses).
 */
export function equilibrium(I: RadiationIntegrals, energyEV: number, gamma: number, circumferenceM: number): Equilibrium {
  const U0 = (CGAMMA_M_PER_EV3 / (2 * Math.PI)) * energyEV ** 4 * I.I2;
  const Jx = 1 - I.I4 / I.I2;
  const Je = 2 + I.I4 / I.I2;
  const betaRel = Math.sqrt(1 - 1 / (gamma * gamma));
  const T0 = circumferenceM / (betaRel * C_LIGHT);
  const damp = (J: number) => (2 * energyEV * T0) / (J * U0);
  return {
    energyLossPerTurnEV: U0,
    emittanceM: (CQ_M * gamma * gamma * I.I5) / (Jx * I.I2),
    energySpread: Math.sqrt((CQ_M * gamma * gamma * I.I3) / (Je * I.I2)),
    dampingPartition: [Jx, 1, Je],
    dampingTimesS: [damp(Jx), damp(1), damp(Je)],
    revolutionPeriodS: T0,
    momentumCompaction: I.I1 / circumferenceM,
  };
}
