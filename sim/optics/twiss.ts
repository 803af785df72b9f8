/**
 * Periodic Twiss functions (Courant–Snyder) at every element entrance of one period, the tunes with
 * their integer part, and the dispersion.
 *
 * - β, α, μ: from the one-period 4×4 Jacobian at the closed orbit (δ = 0), propagated with each
 *   element's exact Jacobian: β1 = ((m11β0 − m12α0)² + m12²)/β0, Δμ = atan2(m12, m11β0 − m12α0)
 *   (e.g. S. Y. Lee, Accelerator Physics, chapter 2). Uncoupled planes use the diagonal 2×2 blocks;
 *   a coupled lattice uses the Edwards–Teng parametrisation (coupling.ts).
 * - Dispersion η = dx/dδ, η' = dpx/dδ: central difference of the closed orbits at ±δ (as pyAT,
 *   which takes them from its orbits at ±DPStep/2); δ = 1.5e-6 gives ~1e-9 relative error.
 *   η' is the derivative of the canonical px (pyAT `eta_px`, MAD-X DPX).
 */
import { compileLattice, OpticsError, type CompiledRing } from './maps.ts';
import { closedOrbit4, type Orbit4 } from './orbit.ts';
import { coupledTwiss } from './coupling.ts';
import { insideImpl } from './inside.ts';
import type { Lattice } from '../../lattice/lattice.ts';

/** Momentum step of the finite differences (pyAT get_optics: DPStep = 3e-6 → ±1.5e-6). */
export const DELTA_STEP = 1.5e-6;

/** Per-element optics of one period: arrays of length n + 1 (entrances, then the period end). */
export interface TwissTable {
  readonly names: readonly string[];
  readonly s: Float64Array;
  readonly betaX: Float64Array;
  readonly betaY: Float64Array;
  readonly alphaX: Float64Array;
  readonly alphaY: Float64Array;
  readonly etaX: Float64Array;
  readonly etaPX: Float64Array;
  readonly etaY: Float64Array;
  readonly etaPY: Float64Array;
  /** Cumulative phase advance from the period start [rad]. */
  readonly muX: Float64Array;
  readonly muY: Float64Array;
  /** Closed orbit (x, px, y, py) at δ = 0, (n+1) × 4. */
  readonly orbit: Float64Array;
}

export interface LinearOptics {
  readonly ring: CompiledRing;
  readonly twiss: TwissTable;
  /** Full-ring tunes with their integer part. */
  readonly tunes: [number, number];
  /** One-period 4×4 matrix at the period start (row-major). */
  readonly periodMatrix: Float64Array;
  /** The orbits used: δ = 0, +DELTA_STEP, −DELTA_STEP. */
  readonly orbits: { zero: Orbit4; plus: Orbit4; minus: Orbit4 };
  /** Edwards–Teng coupling present (tunes are the eigen-mode tunes). */
  readonly coupled: boolean;
}

/** Periodic β, α and phase advance of a 2×2 block; throws a clear error when unstable. */
export function periodicTwiss2(
  m11: number, m12: number, m22: number, plane: string, delta: number,
): { beta: number; alpha: number; mu: number } {
  const cosMu = (m11 + m22) / 2;
  if (!(Math.abs(cosMu) < 1)) {
    throw new OpticsError(
      `no stable optics: ${plane} |trace|/2 = ${Number.isFinite(cosMu) ? Math.abs(cosMu).toFixed(4) : String(cosMu)} at δ = ${delta}`,
    );
  }
  const sinMu = Math.sign(m12) * Math.sqrt(1 - cosMu * cosMu);
  let mu = Math.atan2(sinMu, cosMu);
  if (mu < 0) mu += 2 * Math.PI;
  return { beta: m12 / sinMu, alpha: (m11 - m22) / (2 * sinMu), mu };
}

/** Fractional one-period phase advances [rad, 0..2π) of the 4×4 matrix (uncoupled blocks or eigen-modes). */
export function periodPhases(M: Float64Array, coupled: boolean, delta: number): [number, number] {
  if (coupled) {
    const t = coupledTwiss.phases(M, delta);
    return t;
  }
  const x = periodicTwiss2(M[0], M[1], M[5], 'horizontal', delta);
  const y = periodicTwiss2(M[10], M[11], M[15], 'vertical', delta);
  return [x.mu, y.mu];
}

/** Closed orbits, Twiss table and tunes of a lattice (or of an already compiled ring). */
export function linearOptics(latOrRing: Lattice | CompiledRing): LinearOptics {
  const ring = 'elements' in latOrRing && 'gamma' in latOrRing ? (latOrRing as CompiledRing) : compileLattice(latOrRing as Lattice);
  const zero = closedOrbit4(ring, 0, { storeJacobians: true });
  const plus = closedOrbit4(ring, DELTA_STEP, { guess: zero.orbit.subarray(0, 4) });
  const minus = closedOrbit4(ring, -DELTA_STEP, { guess: zero.orbit.subarray(0, 4) });
  return assembleOptics(ring, zero, plus, minus);
}

export function assembleOptics(ring: CompiledRing, zero: Orbit4, plus: Orbit4, minus: Orbit4): LinearOptics {
  const n = ring.n;
  const M = zero.periodJ;
  const coupled = isCoupled(M);
  const names = ring.elements.map((e) => e.name);
  names.push('END');
  const mk = () => new Float64Array(n + 1);
  const t = {
    names, s: Float64Array.from(ring.s), betaX: mk(), betaY: mk(), alphaX: mk(), alphaY: mk(),
    etaX: mk(), etaPX: mk(), etaY: mk(), etaPY: mk(), muX: mk(), muY: mk(), orbit: Float64Array.from(zero.orbit),
  };
  const inv2d = 1 / (2 * (plus.delta - minus.delta) / 2);
  for (let i = 0; i <= n; i++) {
    t.etaX[i] = (plus.orbit[i * 4] - minus.orbit[i * 4]) * inv2d;
    t.etaPX[i] = (plus.orbit[i * 4 + 1] - minus.orbit[i * 4 + 1]) * inv2d;
    t.etaY[i] = (plus.orbit[i * 4 + 2] - minus.orbit[i * 4 + 2]) * inv2d;
    t.etaPY[i] = (plus.orbit[i * 4 + 3] - minus.orbit[i * 4 + 3]) * inv2d;
  }
  if (coupled) {
    coupledTwiss.fill(ring, zero, t);
  } else {
    const x = periodicTwiss2(M[0], M[1], M[5], 'horizontal', 0);
    const y = periodicTwiss2(M[10], M[11], M[15], 'vertical', 0);
    propagatePlane(zero.elementJ!, n, 0, x.beta, x.alpha, t.betaX, t.alphaX, t.muX);
    propagatePlane(zero.elementJ!, n, 10, y.beta, y.alpha, t.betaY, t.alphaY, t.muY);
  }
  const P = ring.periodicity;
  const tunes: [number, number] = [(P * t.muX[n]) / (2 * Math.PI), (P * t.muY[n]) / (2 * Math.PI)];
  return { ring, twiss: t, tunes, periodMatrix: Float64Array.from(M), orbits: { zero, plus, minus }, coupled };
}

/** True when the 4×4 matrix has x–y coupling terms above 1e-12 of its largest diagonal-block term. */
export function isCoupled(M: Float64Array): boolean {
  let off = 0, on = 0;
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      const v = Math.abs(M[r * 4 + c]);
      if ((r < 2) !== (c < 2)) off = Math.max(off, v); else on = Math.max(on, v);
    }
  }
  return off > 1e-12 * on;
}

/** Propagates β, α, μ of one plane through the element Jacobians (block starting at index b: 0 for x, 10 for y). */
function propagatePlane(
  EJ: Float64Array, n: number, b: number, beta0: number, alpha0: number,
  beta: Float64Array, alpha: Float64Array, mu: Float64Array,
): void {
  let be = beta0, al = alpha0, m = 0;
  beta[0] = be; alpha[0] = al; mu[0] = 0;
  for (let i = 0; i < n; i++) {
    const o = i * 16 + b;
    const m11 = EJ[o], m12 = EJ[o + 1], m21 = EJ[o + 4], m22 = EJ[o + 5];
    const p = m11 * be - m12 * al;
    const q = m21 * be - m22 * al;
    const nb = (p * p + m12 * m12) / be;
    const na = -(p * q + m12 * m22) / be;
    m += Math.atan2(m12, p);
    be = nb; al = na;
    beta[i + 1] = be; alpha[i + 1] = al; mu[i + 1] = m;
  }
}

/**
 * Twiss functions inside element i at fractions of its length (0..1), by splitting its map
 * (the entrance edge acts at 0+, the exit edge at 1). Returns one row per fraction.
 */
export function twissInside(opt: LinearOptics, i: number, fractions: readonly number[]): Array<{
  s: number; betaX: number; betaY: number; alphaX: number; alphaY: number; etaX: number; etaPX: number;
}> {
  return insideImpl(opt, i, fractions);
}


/** The full-ring 4×4 one-turn matrix at the period start (the one-period matrix to the power periodicity). */
export function oneTurnMatrix4(opt: LinearOptics): Float64Array {
  let R = new Float64Array(16);
  R[0] = 1; R[5] = 1; R[10] = 1; R[15] = 1;
  const M = opt.periodMatrix;
  let T = new Float64Array(16);
  for (let p = 0; p < opt.ring.periodicity; p++) {
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += M[r * 4 + k] * R[k * 4 + c];
        T[r * 4 + c] = s;
      }
    }
    const sw = R; R = T; T = sw;
  }
  return R;
}
