/**
 * Drift space. pyAT DriftPass (paraxial, expanded Hamiltonian H = (px² + py²)/(2(1+δ))):
 *   x += L px/(1+δ), y += L py/(1+δ), cτ += L (px² + py²)/(2(1+δ)²).
 * The exact drift (option) uses H = −√((1+δ)² − px² − py²):
 *   x += L px/pz, y += L py/pz, cτ += L ((1+δ)/pz − 1), pz = √((1+δ)² − px² − py²);
 * a particle with px² + py² ≥ (1+δ)² is lost (NaN).
 * The same drift maths is inlined in the thick-element integrator (integrator.ts).
 */
import { DRF } from '../layout.ts';

/** Paraxial drift of every live particle in r (n particles × 6). */
export function driftPass(r: Float64Array, n: number, P: Float64Array, o: number): void {
  const L = P[o + DRF.L];
  for (let i = 0; i < 6 * n; i += 6) {
    const x = r[i];
    if (x !== x) continue;
    const px = r[i + 1];
    const py = r[i + 3];
    const pn = 1 / (1 + r[i + 4]);
    const nl = L * pn;
    r[i] = x + nl * px;
    r[i + 2] += nl * py;
    r[i + 5] += (nl * pn * (px * px + py * py)) / 2;
  }
}

/** Paraxial drift of length L for a single particle at index i (used by RF and aperture passes). */
export function driftOne(r: Float64Array, i: number, L: number): void {
  const px = r[i + 1];
  const py = r[i + 3];
  const pn = 1 / (1 + r[i + 4]);
  const nl = L * pn;
  r[i] += nl * px;
  r[i + 2] += nl * py;
  r[i + 5] += (nl * pn * (px * px + py * py)) / 2;
}

/** Exact drift of every live particle. */
export function exactDriftPass(r: Float64Array, n: number, P: Float64Array, o: number): void {
  const L = P[o + DRF.L];
  for (let i = 0; i < 6 * n; i += 6) {
    if (r[i] !== r[i]) continue;
    const px = r[i + 1];
    const py = r[i + 3];
    const p = 1 + r[i + 4];
    const pz2 = p * p - px * px - py * py;
    if (!(pz2 > 0)) {
      r.fill(NaN, i, i + 6);
      continue;
    }
    const pz = Math.sqrt(pz2);
    r[i] += (L * px) / pz;
    r[i + 2] += (L * py) / pz;
    r[i + 5] += L * (p / pz - 1);
  }
}
