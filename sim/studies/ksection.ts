/**
 * The k-section step shared by the dynamic-aperture (da.ts) and momentum-acceptance (ma.ts)
 * searches: m probes inside a bracket [lo, hi] are tracked together, and the bracket shrinks to
 * [last survivor before the first loss, first loss]. This finds the first loss from the inside.
 */

/** Probe q (0 … m−1) of m equally spaced inside the bracket: lo + (hi − lo)(q + 1)/(m + 1). */
export function bracketProbe(b: { lo: number; hi: number }, q: number, m: number): number {
  return b.lo + ((b.hi - b.lo) * (q + 1)) / (m + 1);
}

/**
 * Shrinks the bracket after its m probes were tracked: lost[first + q] is the loss turn of probe q
 * (−1 = survived).
 */
export function narrowBracket(b: { lo: number; hi: number }, lost: ArrayLike<number>, first: number, m: number): void {
  const step = (b.hi - b.lo) / (m + 1);
  let lo = b.lo;
  let hi = b.hi;
  for (let q = 0; q < m; q++) {
    const rq = b.lo + step * (q + 1);
    if (lost[first + q] >= 0) { hi = rq; break; }
    lo = rq;
  }
  b.lo = lo;
  b.hi = hi;
}
