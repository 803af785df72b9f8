/**
 * The body of thick magnets: pyAT's 4th-order symplectic integrator (Forest & Ruth 1990, Yoshida
 * 1990), as in StrMPoleSymplectic4Pass / BndMPoleSymplectic4Pass. Each of nSteps slices of
 * length ℓ is drift(d1ℓ) kick(c1ℓ) drift(d2ℓ) kick(c2ℓ) drift(d2ℓ) kick(c1ℓ) drift(d1ℓ).
 *
 * Drift: paraxial (see passes/drift.ts). Kick of weight w with (By + iBx)/Bρ0 = Σ (b_n + i a_n)(x+iy)^n
 * (Horner, orders ≤ maxOrder) and reference curvature h (0 for straight magnets; the dipole field
 * itself is not in Σ, b_0 is an error term):
 *   px −= w (Re Σ − h δ + h² x),  py += w Im Σ,  cτ += w h x
 * (expanded Hamiltonian H = (px²+py²)/(2(1+δ)) − h x δ + h² x²/2 + …, pyAT's default model).
 * With h = 0 the extra terms are exact zeros, so one body serves both (bit-identical results).
 *
 * Per particle, coordinates live in locals through all slices; nothing is allocated.
 */
import { MAG } from './layout.ts';
import { b2perp } from './radiation.ts';
import { gaussianPair } from '../parallel/rng.ts';

/** Forest–Ruth coefficients: d1 = 1/(2(2 − 2^(1/3))), d2 = 1/2 − d1, c1 = 2 d1, c2 = 1 − 2 c1. */
export const DRIFT1 = 0.6756035959798286638;
export const DRIFT2 = -0.1756035959798286639;
export const KICK1 = 1.351207191959657328;
export const KICK2 = -1.702414383919314656;

/** Integrates the body of the magnet whose block starts at o for the particle at index i. */
export function integrateBody(r: Float64Array, i: number, P: Float64Array, o: number): void {
  const L = P[o + MAG.L];
  const ns = P[o + MAG.NSTEPS];
  const h = P[o + MAG.H];
  const mo = P[o + MAG.MAXORDER];
  const ob = o + MAG.B;
  const oa = o + MAG.A;
  const bTop = P[ob + mo];
  const aTop = P[oa + mo];
  const sl = L / ns;
  const l1 = sl * DRIFT1;
  const l2 = sl * DRIFT2;
  const k1 = sl * KICK1;
  const k2 = sl * KICK2;
  let x = r[i];
  let px = r[i + 1];
  let y = r[i + 2];
  let py = r[i + 3];
  const d = r[i + 4];
  let ct = r[i + 5];
  const pn = 1 / (1 + d);
  const nl1 = l1 * pn;
  const nl2 = l2 * pn;
  if (mo === 1) {
    // quadrupole-order fields (the common case): the same arithmetic as the Horner loop, unrolled
    const b0 = P[ob];
    const a0 = P[oa];
    for (let s = 0; s < ns; s++) {
      for (let q = 0; q < 3; q++) {
        const nl = q === 0 ? nl1 : nl2;
        x += nl * px;
        y += nl * py;
        ct += (nl * pn * (px * px + py * py)) / 2;
        const w = q === 1 ? k2 : k1;
        const re = bTop * x - aTop * y + b0;
        const im = aTop * x + bTop * y + a0;
        px -= w * (re - (d - x * h) * h);
        py += w * im;
        ct += w * h * x;
      }
      x += nl1 * px;
      y += nl1 * py;
      ct += (nl1 * pn * (px * px + py * py)) / 2;
    }
    r[i] = x;
    r[i + 1] = px;
    r[i + 2] = y;
    r[i + 3] = py;
    r[i + 5] = ct;
    return;
  }
  for (let s = 0; s < ns; s++) {
    for (let q = 0; q < 3; q++) {
      const nl = q === 0 ? nl1 : nl2;
      x += nl * px;
      y += nl * py;
      ct += (nl * pn * (px * px + py * py)) / 2;
      const w = q === 1 ? k2 : k1;
      let re = bTop;
      let im = aTop;
      for (let j = mo - 1; j >= 0; j--) {
        const t = re * x - im * y + P[ob + j];
        im = im * x + re * y + P[oa + j];
        re = t;
      }
      px -= w * (re - (d - x * h) * h);
      py += w * im;
      ct += w * h * x;
    }
    x += nl1 * px;
    y += nl1 * py;
    ct += (nl1 * pn * (px * px + py * py)) / 2;
  }
  r[i] = x;
  r[i + 1] = px;
  r[i + 2] = y;
  r[i + 3] = py;
  r[i + 5] = ct;
}

/**
 * The same body with radiation (see radiation.ts): classical loss at every kick when `crad` > 0,
 * quantum excitation once per slice when `qdiff` > 0. δ changes, so 1/(1+δ) is recomputed at every
 * drift. Random numbers: one Philox block per two slices, counter (particle, turn, element, ⌊slice/2⌋)
 * under key (k0, k1); even slices take its cosine normal, odd slices its sine normal.
 */
export function integrateBodyRad(
  r: Float64Array, i: number, P: Float64Array, o: number,
  crad: number, qdiff: number, particle: number, turn: number, elem: number, k0: number, k1key: number,
): void {
  const L = P[o + MAG.L];
  const ns = P[o + MAG.NSTEPS];
  const h = P[o + MAG.H];
  const mo = P[o + MAG.MAXORDER];
  const ob = o + MAG.B;
  const oa = o + MAG.A;
  const bTop = P[ob + mo];
  const aTop = P[oa + mo];
  const sl = L / ns;
  const l1 = sl * DRIFT1;
  const l2 = sl * DRIFT2;
  const k1 = sl * KICK1;
  const k2 = sl * KICK2;
  let x = r[i];
  let px = r[i + 1];
  let y = r[i + 2];
  let py = r[i + 3];
  let d = r[i + 4];
  let ct = r[i + 5];
  let g1 = 0;
  for (let s = 0; s < ns; s++) {
    for (let q = 0; q < 4; q++) {
      const pn = 1 / (1 + d);
      const nl = (q === 0 || q === 3 ? l1 : l2) * pn;
      x += nl * px;
      y += nl * py;
      ct += (nl * pn * (px * px + py * py)) / 2;
      if (q === 3) break;
      const w = q === 1 ? k2 : k1;
      let re = bTop;
      let im = aTop;
      for (let j = mo - 1; j >= 0; j--) {
        const t = re * x - im * y + P[ob + j];
        im = im * x + re * y + P[oa + j];
        re = t;
      }
      const xpr = px * pn;
      const ypr = py * pn;
      const b2 = b2perp(im, re + h, h, x, xpr, ypr);
      const path = 1 + x * h + (xpr * xpr + ypr * ypr) / 2;
      const d0 = d;
      const p1 = 1 + d;
      if (crad > 0) d -= crad * p1 * p1 * b2 * path * w;
      if (qdiff > 0 && q === 1) {
        const sigma = Math.sqrt(qdiff * p1 * p1 * p1 * p1 * b2 * Math.sqrt(b2) * path * sl);
        let g: number;
        if ((s & 1) === 0) {
          const pair = gaussianPair(particle, turn, elem, s >>> 1, k0, k1key);
          g = pair[0];
          g1 = pair[1];
        } else {
          g = g1;
        }
        d += sigma * g;
      }
      // angles are kept through the emission: px, py follow the new momentum
      px = xpr * (1 + d);
      py = ypr * (1 + d);
      px -= w * (re - (d0 - x * h) * h);
      py += w * im;
      ct += w * h * x;
    }
  }
  r[i] = x;
  r[i + 1] = px;
  r[i + 2] = y;
  r[i + 3] = py;
  r[i + 4] = d;
  r[i + 5] = ct;
}
