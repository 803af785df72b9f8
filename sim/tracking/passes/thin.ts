/**
 * Thin elements.
 *
 * Thin multipole (pyAT ThinMPolePass): px −= Re Σ, py += Im Σ with the integrated strengths
 * (b_n + i a_n) = (knl[n] + i ksl[n]) / n! (MAD-X MULTIPOLE knl, ksl; the n! is applied in
 * compile.ts). knl[0] > 0 kicks towards −x, as in MAD-X.
 *
 * Corrector (pyAT CorrectorPass, MAD-X HKICKER/VKICKER/KICKER): kick angles θx, θy added to px, py;
 * with a length L the kick is spread uniformly along a drift (exact for a constant field in the
 * paraxial model):
 *   x += L (px + θx/2)/(1+δ), cτ += L (px² + py² + px θx + py θy + (θx² + θy²)/3) / (2(1+δ)²).
 * Corrector misalignments (dx, dy, tilt) are not applied: a shifted corrector kicks the same, and a
 * rolled one is not modelled (give hkick/vkick in the beam frame).
 */
import { COR, THN } from '../layout.ts';
import { misalignIn, misalignOut } from './misalign.ts';

export function thinMultipolePass(r: Float64Array, n: number, P: Float64Array, o: number): void {
  const mo = P[o + THN.MAXORDER];
  const ob = o + THN.B;
  const oa = o + THN.A;
  const mis = P[o + THN.MISALIGNED] !== 0;
  const dx = P[o + THN.DX];
  const dy = P[o + THN.DY];
  const c = P[o + THN.COS];
  const s = P[o + THN.SIN];
  for (let p = 0; p < n; p++) {
    const i = 6 * p;
    if (r[i] !== r[i]) continue;
    if (mis) misalignIn(r, i, dx, dy, c, s);
    const x = r[i];
    const y = r[i + 2];
    let re = P[ob + mo];
    let im = P[oa + mo];
    for (let j = mo - 1; j >= 0; j--) {
      const t = re * x - im * y + P[ob + j];
      im = im * x + re * y + P[oa + j];
      re = t;
    }
    r[i + 1] -= re;
    r[i + 3] += im;
    if (mis) misalignOut(r, i, dx, dy, c, s);
  }
}

export function correctorPass(r: Float64Array, n: number, P: Float64Array, o: number): void {
  const L = P[o + COR.L];
  const tx = P[o + COR.HKICK];
  const ty = P[o + COR.VKICK];
  for (let p = 0; p < n; p++) {
    const i = 6 * p;
    if (r[i] !== r[i]) continue;
    if (L === 0) {
      r[i + 1] += tx;
      r[i + 3] += ty;
      continue;
    }
    const px = r[i + 1];
    const py = r[i + 3];
    const pn = 1 / (1 + r[i + 4]);
    const nl = L * pn;
    r[i + 5] += (nl * pn * (px * px + py * py + px * tx + py * ty + (tx * tx + ty * ty) / 3)) / 2;
    r[i] += nl * (px + tx / 2);
    r[i + 1] = px + tx;
    r[i + 2] += nl * (py + ty / 2);
    r[i + 3] = py + ty;
  }
}
