/**
 * Lookup in a table tabulated against photon energy (ascending): the bracketing rows and the
 * fraction between them in log energy, t = ln(E/E_lo)/ln(E_hi/E_lo). Used by the crystal
 * structure factors (crystal.ts) and the material optical constants (materials/index.ts).
 */
export interface LogBracket {
  lo: number;
  hi: number;
  t: number;
}

/** The rows lo, hi = lo + 1 with x[lo] ≤ xi ≤ x[hi] (binary search) and the log fraction t; xi must lie in [x[0], x[n−1]]. */
export function logBracket(x: Float64Array, xi: number): LogBracket {
  let lo = 0;
  let hi = x.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= xi) lo = mid;
    else hi = mid;
  }
  return { lo, hi, t: Math.log(xi / x[lo]) / Math.log(x[hi] / x[lo]) };
}
