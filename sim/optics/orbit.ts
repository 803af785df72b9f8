/**
 * Closed orbit in 4D at a fixed momentum deviation δ (cavities off, no radiation), by Newton's
 * method on the one-period map, with the orbit and the 4×4 Jacobian at every element.
 * The ring is `periodicity` identical periods, so the closed orbit is periodic over one period.
 */
import { OpticsError, type CompiledRing } from './compile.ts';
import { buildPeriodMaps, propagateElement, type PeriodMaps } from './propagate.ts';

export interface Orbit4 {
  readonly delta: number;
  /** (n+1) × 4: (x, px, y, py) at each element entrance of one period and at the end [m, rad]. */
  readonly orbit: Float64Array;
  /** n × 16: Jacobian ∂X_out/∂X_in of each element along the orbit (row-major), if stored. */
  readonly elementJ: Float64Array | null;
  /** One-period 4×4 Jacobian at the period start. */
  readonly periodJ: Float64Array;
  readonly iterations: number;
  readonly maps: PeriodMaps;
}

export interface OrbitOptions {
  /** Store the per-element Jacobians (needed for the Twiss functions). */
  storeJacobians?: boolean;
  maxIterations?: number;
  /** Start of the Newton iteration (x, px, y, py). */
  guess?: ArrayLike<number>;
  /** Reuse storage of an earlier result (same ring). */
  reuse?: Orbit4;
}

const X = new Float64Array(4);
const J = new Float64Array(16);
const JE = new Float64Array(16);

/** Closed orbit at δ in 4D. Throws OpticsError if it does not converge or the one-period map has a unit eigenvalue. */
export function closedOrbit4(ring: CompiledRing, delta: number, opts: OrbitOptions = {}): Orbit4 {
  const n = ring.n;
  const maps = buildPeriodMaps(ring, delta, opts.reuse?.maps);
  const orbit = opts.reuse && opts.reuse.orbit.length === (n + 1) * 4 ? opts.reuse.orbit : new Float64Array((n + 1) * 4);
  const wantJ = opts.storeJacobians ?? false;
  const elementJ = wantJ
    ? (opts.reuse?.elementJ && opts.reuse.elementJ.length === n * 16 ? opts.reuse.elementJ : new Float64Array(n * 16))
    : null;
  const periodJ = new Float64Array(16);
  const X0 = new Float64Array(4);
  if (opts.guess) for (let k = 0; k < 4; k++) X0[k] = opts.guess[k];
  const maxIt = opts.maxIterations ?? 40;
  let lastStep = Infinity;
  for (let it = 1; it <= maxIt; it++) {
    X[0] = X0[0]; X[1] = X0[1]; X[2] = X0[2]; X[3] = X0[3];
    J.fill(0); J[0] = 1; J[5] = 1; J[10] = 1; J[15] = 1;
    for (let i = 0; i < n; i++) {
      orbit[i * 4] = X[0]; orbit[i * 4 + 1] = X[1]; orbit[i * 4 + 2] = X[2]; orbit[i * 4 + 3] = X[3];
      if (elementJ) {
        const o = i * 16;
        JE.fill(0); JE[0] = 1; JE[5] = 1; JE[10] = 1; JE[15] = 1;
        propagateElement(ring, maps, i, X, JE);
        for (let k = 0; k < 16; k++) elementJ[o + k] = JE[k];
        // J ← Jelem J
        mulInto(elementJ, o, J);
      } else {
        propagateElement(ring, maps, i, X, J);
      }
    }
    orbit[n * 4] = X[0]; orbit[n * 4 + 1] = X[1]; orbit[n * 4 + 2] = X[2]; orbit[n * 4 + 3] = X[3];
    for (let k = 0; k < 4; k++) {
      if (!Number.isFinite(X[k])) {
        throw new OpticsError(`closed orbit at δ = ${delta} diverged (non-finite coordinates after one period; the lattice may be unstable or a kick far too strong)`);
      }
    }
    for (let k = 0; k < 16; k++) periodJ[k] = J[k];
    let fmax = 0, xmax = 0;
    for (let k = 0; k < 4; k++) { fmax = Math.max(fmax, Math.abs(X[k] - X0[k])); xmax = Math.max(xmax, Math.abs(X0[k])); }
    if (fmax <= 1e-11 * xmax + 1e-22) return { delta, orbit, elementJ, periodJ, iterations: it, maps };
    // Newton: (J − I) ΔX = −(X − X0)
    const A = new Float64Array(16);
    for (let k = 0; k < 16; k++) A[k] = J[k];
    A[0] -= 1; A[5] -= 1; A[10] -= 1; A[15] -= 1;
    const rhs = [X0[0] - X[0], X0[1] - X[1], X0[2] - X[2], X0[3] - X[3]];
    const step = solve4(A, rhs);
    if (!step) {
      const far = Math.max(fmax, xmax);
      throw new OpticsError(far < 1e-3
        ? `no closed orbit at δ = ${delta}: the one-period map has an eigenvalue 1 (integer tune)`
        : `closed orbit at δ = ${delta} did not converge: the one-period Jacobian became singular at iteration ${it} along a trajectory ${far.toExponential(2)} m off axis`);
    }
    let smax = 0;
    for (let k = 0; k < 4; k++) smax = Math.max(smax, Math.abs(step[k]));
    // at the rounding floor (long rings: the residual no longer shrinks) a negligible Newton step
    // means convergence: the stored orbit is off by less than 1e-10 of itself
    if (smax <= 1e-10 * xmax + 1e-24) return { delta, orbit, elementJ, periodJ, iterations: it, maps };
    for (let k = 0; k < 4; k++) X0[k] += step[k];
    if (smax > 1 || !Number.isFinite(smax)) {
      throw new OpticsError(`closed orbit at δ = ${delta} did not converge: Newton step of ${smax.toExponential(2)} m at iteration ${it}`);
    }
    lastStep = smax;
  }
  throw new OpticsError(
    `closed orbit at δ = ${delta} did not converge in ${maxIt} iterations (last Newton step ${lastStep.toExponential(2)} m)`,
  );
}

/** J ← E J, E at elementJ[o..o+16). */
function mulInto(E: Float64Array, o: number, Jm: Float64Array): void {
  for (let c = 0; c < 4; c++) {
    const j0 = Jm[c], j1 = Jm[4 + c], j2 = Jm[8 + c], j3 = Jm[12 + c];
    for (let r = 0; r < 4; r++) {
      Jm[r * 4 + c] = E[o + r * 4] * j0 + E[o + r * 4 + 1] * j1 + E[o + r * 4 + 2] * j2 + E[o + r * 4 + 3] * j3;
    }
  }
}

/** Solves A x = b (4×4, Gaussian elimination with partial pivoting); null if singular. */
export function solve4(A: Float64Array, b: number[]): number[] | null {
  const m = Array.from({ length: 4 }, (_, r) => [A[r * 4], A[r * 4 + 1], A[r * 4 + 2], A[r * 4 + 3], b[r]]);
  let scale = 0;
  for (let k = 0; k < 16; k++) scale = Math.max(scale, Math.abs(A[k]));
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    if (Math.abs(m[p][c]) <= 1e-13 * scale) return null;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < 4; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k < 5; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = [0, 0, 0, 0];
  for (let r = 3; r >= 0; r--) {
    let s = m[r][4];
    for (let k = r + 1; k < 4; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}
