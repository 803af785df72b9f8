/**
 * Apertures and loss bookkeeping. A lost particle gets NaN in all six coordinates; the turn and the
 * element index (in the whole ring: period × elements-per-period + index) where it was lost are
 * written to two Int32Arrays (−1 while alive); every pass skips it afterwards.
 *
 * Checked after every element that is not an identity:
 * - any coordinate not finite, or |x|, |px|, |y|, |py|, |δ| > 1 (pyAT's numerical-loss limit);
 * - outside the default round vacuum chamber, x² + y² > R² (option `chamberRadiusM`, 0 = none);
 * - outside the longitudinal window cτ ∈ [ctMin, ctMax] (option `ctWindowM`: out of the RF bucket).
 * Aperture elements: rectangular |x| > xLimit or |y| > yLimit; elliptical (x/a)² + (y/b)² > 1.
 */
import { APE } from './layout.ts';

function kill(r: Float64Array, i: number): void {
  r[i] = NaN; r[i + 1] = NaN; r[i + 2] = NaN; r[i + 3] = NaN; r[i + 4] = NaN; r[i + 5] = NaN;
}

/** Marks particles outside an aperture element as lost. */
export function aperturePass(
  r: Float64Array, n: number, P: Float64Array, o: number,
  lossTurn: Int32Array, lossElem: Int32Array, turn: number, elem: number,
): void {
  const ell = P[o + APE.SHAPE] === 1;
  const a = P[o + APE.XLIM];
  const b = P[o + APE.YLIM];
  for (let p = 0; p < n; p++) {
    const i = 6 * p;
    const x = r[i];
    if (x !== x) continue;
    const y = r[i + 2];
    const out = ell ? (x / a) * (x / a) + (y / b) * (y / b) > 1 : Math.abs(x) > a || Math.abs(y) > b;
    if (out) {
      kill(r, i);
      lossTurn[p] = turn;
      lossElem[p] = elem;
    }
  }
}

/** After-element check: numerical blow-up and the default chamber radius (0 = none). */
export function checkLosses(
  r: Float64Array, n: number, chamberRadiusM: number, ctMin: number, ctMax: number,
  lossTurn: Int32Array, lossElem: Int32Array, turn: number, elem: number,
): void {
  const r2 = chamberRadiusM > 0 ? chamberRadiusM * chamberRadiusM : Infinity;
  for (let p = 0; p < n; p++) {
    if (lossTurn[p] >= 0) continue;
    const i = 6 * p;
    const x = r[i];
    const y = r[i + 2];
    // every comparison is false for NaN, so "!(… ≤ …)" also catches non-finite values
    if (
      !(Math.abs(x) <= 1 && Math.abs(y) <= 1 && Math.abs(r[i + 1]) <= 1 && Math.abs(r[i + 3]) <= 1 &&
        Math.abs(r[i + 4]) <= 1 && Math.abs(r[i + 5]) < Infinity && r[i + 5] >= ctMin && r[i + 5] <= ctMax && x * x + y * y <= r2)
    ) {
      kill(r, i);
      lossTurn[p] = turn;
      lossElem[p] = elem;
    }
  }
}
