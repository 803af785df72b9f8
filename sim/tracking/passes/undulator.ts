/**
 * Undulator: a drift plus the undulator's natural linear focusing, averaged over a period
 * (hard-edge, first-order model; e.g. Wiedemann, "Particle Accelerator Physics", 4th ed., §18.2;
 * Walker, CERN 98-04). A planar device with vertical field focuses vertically with
 *   ky = (K ku)² / (2 γ²) = 1/(2ρ0²),  ku = 2π/λu,  kx = 0;
 * a helical device focuses both planes with the same strength (both field components present).
 * A particle of momentum (1+δ)p0 sees k/(1+δ)²: H = (px²+py²)/(2(1+δ)) + (kx x² + ky y²)/(2(1+δ)).
 * Integrated with the same 4th-order scheme as the magnets (nSteps slices); kicks
 *   px −= w kx x/(1+δ), py −= w ky y/(1+δ), cτ += w (kx x² + ky y²)/(2(1+δ)²).
 * Not modelled: radiation in the device, dynamic multipoles (roll-off, field errors), the
 * wiggling orbit itself (its path length ∝ K²/(2γ²) is a constant cτ offset, omitted).
 */
import { UND } from '../layout.ts';
import { DRIFT1, DRIFT2, KICK1, KICK2 } from '../integrator.ts';

export function undulatorPass(r: Float64Array, n: number, P: Float64Array, o: number): void {
  const L = P[o + UND.L];
  const ns = P[o + UND.NSTEPS];
  const kx = P[o + UND.KX];
  const ky = P[o + UND.KY];
  const sl = L / ns;
  for (let p = 0; p < n; p++) {
    const i = 6 * p;
    let x = r[i];
    if (x !== x) continue;
    let px = r[i + 1];
    let y = r[i + 2];
    let py = r[i + 3];
    const pn = 1 / (1 + r[i + 4]);
    let ct = r[i + 5];
    for (let s = 0; s < ns; s++) {
      for (let q = 0; q < 4; q++) {
        const nl = (q === 0 || q === 3 ? DRIFT1 : DRIFT2) * sl * pn;
        x += nl * px;
        y += nl * py;
        ct += (nl * pn * (px * px + py * py)) / 2;
        if (q === 3) break;
        const w = (q === 1 ? KICK2 : KICK1) * sl;
        px -= w * kx * x * pn;
        py -= w * ky * y * pn;
        ct += (w * (kx * x * x + ky * y * y) * pn * pn) / 2;
      }
    }
    r[i] = x;
    r[i + 1] = px;
    r[i + 2] = y;
    r[i + 3] = py;
    r[i + 5] = ct;
  }
}
