/**
 * Closed orbit of the tracking map itself (so it includes everything the kernels do: radiation,
 * RF, fringes): Newton iteration X ← X − (M − 1)⁻¹ (F(X) − X) with M the one-turn Jacobian from
 * jacobian.ts. In 6D the fixed point carries the synchronous cτ and, with radiation, the energy
 * offset of the closed orbit; in 4D (δ fixed) only the transverse part is solved.
 */
import { KIND, type Program } from './layout.ts';
import { oneTurnMatrix } from './jacobian.ts';
import { newLossArrays, trackTurns } from './track.ts';

export class OrbitError extends Error {
  override name = 'OrbitError';
}

/** Solves A x = b (n × n, row-major) by Gaussian elimination with partial pivoting. */
function solve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[piv * n + c])) piv = r;
    if (a[piv * n + c] === 0) throw new OrbitError('singular matrix in the closed-orbit search (a tune on an integer?)');
    if (piv !== c) {
      for (let k = 0; k < n; k++) [a[c * n + k], a[piv * n + k]] = [a[piv * n + k], a[c * n + k]];
      [x[c], x[piv]] = [x[piv], x[c]];
    }
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c] / a[c * n + c];
      if (f === 0) continue;
      for (let k = c; k < n; k++) a[r * n + k] -= f * a[c * n + k];
      x[r] -= f * x[c];
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = x[c];
    for (let k = c + 1; k < n; k++) s -= a[c * n + k] * x[k];
    x[c] = s / a[c * n + c];
  }
  return x;
}

/**
 * The fixed point of the one-turn map. `dims` = 6 for a 6D program with an active cavity, else 4
 * (δ = guess[4] held fixed, cτ free). Converges to |F(X) − X| < tol [m, rad] or throws OrbitError.
 */
export function closedOrbit(prog: Program, opts: { guess?: ArrayLike<number>; dims?: 4 | 6; tol?: number; maxIter?: number } = {}): Float64Array {
  // without an active cavity there is no longitudinal fixed point: solve the transverse part only
  const hasRf = prog.kinds.includes(KIND.RF);
  const dims = opts.dims ?? (prog.mode === '6d' && hasRf ? 6 : 4);
  const tol = opts.tol ?? 1e-15;
  const X = Float64Array.from(opts.guess ?? [0, 0, 0, 0, 0, 0]);
  const one = new Float64Array(6);
  let last = Infinity;
  for (let it = 0; it < (opts.maxIter ?? 20); it++) {
    one.set(X);
    trackTurns(prog, one, 1, 1, newLossArrays(1));
    if (!Number.isFinite(one[0])) throw new OrbitError('the closed-orbit search lost the particle (unstable lattice or too large a guess)');
    const F = new Float64Array(dims);
    let err = 0;
    for (let k = 0; k < dims; k++) {
      F[k] = one[k] - X[k];
      err = Math.max(err, Math.abs(F[k]));
    }
    if (err < tol || (it > 3 && err >= last)) return X;
    last = err;
    const M = oneTurnMatrix(prog, X, 1e-8);
    const A = new Float64Array(dims * dims);
    for (let i = 0; i < dims; i++) for (let j = 0; j < dims; j++) A[i * dims + j] = M[6 * i + j] - (i === j ? 1 : 0);
    const d = solve(A, F, dims);
    for (let k = 0; k < dims; k++) X[k] -= d[k];
  }
  throw new OrbitError('the closed-orbit search did not converge in 20 iterations');
}
