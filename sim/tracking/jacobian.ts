/**
 * Linear map of the tracking itself: the 6×6 Jacobian of a map (one turn, or a range of elements)
 * by a 4th-order central difference, M[:,k] ≈ (−f(2h) + 8f(h) − 8f(−h) + f(−2h)) / (12h)
 * (truncation O(h⁴)). 24 particles are tracked together. Used for symplecticity checks and for the
 * default bunch (Twiss from the one-turn matrix) when no optics module is available.
 */
import type { Program } from './layout.ts';
import { newLossArrays, passElements, trackTurns } from './track.ts';

const STENCIL = [2, 1, -1, -2];
const WEIGHTS = [-1, 8, -8, 1];

/** Row-major 6×6 Jacobian of `map` (which tracks n particles in place) around x0. */
export function jacobian(map: (r: Float64Array, n: number) => void, x0: ArrayLike<number>, h = 3e-7): Float64Array {
  const r = new Float64Array(24 * 6);
  for (let k = 0; k < 6; k++) {
    for (let s = 0; s < 4; s++) {
      const p = 4 * k + s;
      for (let j = 0; j < 6; j++) r[6 * p + j] = x0[j];
      r[6 * p + k] += STENCIL[s] * h;
    }
  }
  map(r, 24);
  const m = new Float64Array(36);
  for (let k = 0; k < 6; k++) {
    for (let i = 0; i < 6; i++) {
      let s = 0;
      for (let q = 0; q < 4; q++) s += WEIGHTS[q] * r[6 * (4 * k + q) + i];
      m[6 * i + k] = s / (12 * h);
    }
  }
  return m;
}

/** One-turn Jacobian of a compiled ring around x0 (default: the origin). */
export function oneTurnMatrix(prog: Program, x0: ArrayLike<number> = [0, 0, 0, 0, 0, 0], h = 3e-7): Float64Array {
  return jacobian((r, n) => { trackTurns(prog, r, n, 1, newLossArrays(n)); }, x0, h);
}

/** Jacobian of elements [from, to) of the first period (turn 0). */
export function elementsMatrix(prog: Program, from: number, to: number, x0: ArrayLike<number>, h = 3e-7): Float64Array {
  return jacobian((r, n) => { passElements(prog, r, n, from, to, 0, 0, 0, 0, 0, newLossArrays(n)); }, x0, h);
}

/** max |Mᵀ J M − J| for a row-major 6×6 M (J the symplectic form of (x,px),(y,py),(δ,cτ) pairs). */
export function symplecticError(m: Float64Array): number {
  const J = (a: number, b: number) => (b === a + 1 && a % 2 === 0 ? 1 : a === b + 1 && b % 2 === 0 ? -1 : 0);
  let err = 0;
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 6; j++) {
      let s = 0;
      for (let a = 0; a < 6; a += 2) s += m[6 * a + i] * m[6 * (a + 1) + j] - m[6 * (a + 1) + i] * m[6 * a + j];
      err = Math.max(err, Math.abs(s - J(i, j)));
    }
  }
  return err;
}
