/**
 * The numerical far-field kernel: the single-electron amplitude of an ideal N-period device,
 * integrated over one period in the ACCELERATION form of the Liénard–Wiechert integral
 * (Jackson eq. 14.67; undulator.md §2.11), times the N-period grating factor.
 *
 * With τ = 2πz/λu, s = ω/ωu (ωu = 2πc/λu), u = θ − β⊥, D = 1/(2γ²) + |u|²/2:
 *   βx = (ky/γ) cos τ,  βy = −(kx/γ) cos(τ + φ),  β′ = dβ/dτ
 *   A⊥(θ, s) = (1/2π) ∫_{−π}^{π} [u (u·β′) − β′ D] / D² · e^{i s φ(τ)} dτ · sin(Nπν)/sin(πν)
 *   φ(τ) = τ a + (ky² sin 2τ + kx² sin(2τ + 2φ))/(8γ²) − θx ky sin τ/γ + θy kx sin(τ + φ)/γ
 *   a = (1 + kx²/2 + ky²/2 + γ²θ²)/(2γ²),  ν = s a = ω/ω1(θ)
 *   d²F/dΩ = α (Δω/ω) (I/e) |A|²   [ph/s/rad²/0.1%bw]
 * Why the acceleration form: the velocity form (ω/2π)∫(θ − β)e^{iΦ} over ONE period differs from it
 * by end terms that do not cancel for non-integer ν, which adds a broadband background
 * (+75 % at U56 K = 0.5, n = 5 through a slit; undulator.md §2.11).
 *
 * Speed: for one direction the period integral is a smooth (entire) function of s, so it is
 * evaluated at m Chebyshev points spanning the energy range and interpolated (barycentric) to every
 * energy; the fast factor sin(Nπν)/sin(πν) is applied exactly per energy. The Chebyshev points are
 * symmetric about the centre, so e^{i s φ} = e^{i s0 φ} e^{±i δ φ} halves the complex exponentials.
 *
 * This file is imported by worker threads (spectrum.worker.mjs): plain data in, Float64Array out,
 * nothing allocated per direction.
 */

/** Everything a chunk of the angular grid needs; plain data so it can cross a worker boundary. */
export interface KernelTask {
  gamma: number;
  kx: number;
  ky: number;
  phaseRad: number;
  periods: number;
  /** Gauss–Legendre nodes and weights on [−π, π] for the period integral. */
  tauNodes: Float64Array;
  tauWeights: Float64Array;
  /** Chebyshev points (first kind) in s = ω/ωu and their barycentric weights. */
  chebS: Float64Array;
  chebW: Float64Array;
  /** The energies, as s = ω/ωu. */
  s: Float64Array;
  /** Horizontal grid: angles [rad] and the two weight sets (on-axis Gaussian, aperture), in rad. */
  thetaX: Float64Array;
  weightXOnAxis: Float64Array;
  weightXAperture: Float64Array;
  /** The rows of this chunk: vertical angles and weights. */
  thetaY: Float64Array;
  weightYOnAxis: Float64Array;
  weightYAperture: Float64Array;
}

/** Sums of |A|² × weight over the chunk, per energy: [onAxis(0..nE−1), aperture(0..nE−1)]. */
export function runKernel(t: KernelTask): Float64Array {
  const nE = t.s.length;
  const out = new Float64Array(2 * nE);
  const M = t.tauNodes.length;
  const m = t.chebS.length;
  const half = m >> 1;
  const s0 = m % 2 === 1 ? t.chebS[half] : 0.5 * (t.chebS[0] + t.chebS[m - 1]);
  // scratch (per call, not per direction)
  const gx = new Float64Array(M);
  const gy = new Float64Array(M);
  const ph = new Float64Array(M);
  const re = new Float64Array(4 * m); // per Chebyshev point: Re Ax, Im Ax, Re Ay, Im Ay
  const bary = new Float64Array(nE * m); // barycentric interpolation matrix, rows normalised
  for (let k = 0; k < nE; k++) {
    let sum = 0;
    let exact = -1;
    for (let c = 0; c < m; c++) {
      const dx = t.s[k] - t.chebS[c];
      if (dx === 0) exact = c;
      const v = dx === 0 ? 0 : t.chebW[c] / dx;
      bary[k * m + c] = v;
      sum += v;
    }
    if (exact >= 0) {
      for (let c = 0; c < m; c++) bary[k * m + c] = c === exact ? 1 : 0;
    } else {
      for (let c = 0; c < m; c++) bary[k * m + c] /= sum;
    }
  }
  const g = t.gamma;
  const inv2g2 = 1 / (2 * g * g);
  const ax = t.ky / g;
  const ay = t.kx / g;
  const cphi = Math.cos(t.phaseRad);
  const sphi = Math.sin(t.phaseRad);
  const wig = (t.ky * t.ky) / (8 * g * g);
  const wig2 = (t.kx * t.kx) / (8 * g * g);
  const N = t.periods;
  const aBase = (1 + (t.kx * t.kx) / 2 + (t.ky * t.ky) / 2) * inv2g2;

  for (let iy = 0; iy < t.thetaY.length; iy++) {
    const thy = t.thetaY[iy];
    const wyOn = t.weightYOnAxis[iy];
    const wyAp = t.weightYAperture[iy];
    if (wyOn === 0 && wyAp === 0) continue;
    for (let ix = 0; ix < t.thetaX.length; ix++) {
      const wOn = t.weightXOnAxis[ix] * wyOn;
      const wAp = t.weightXAperture[ix] * wyAp;
      if (wOn === 0 && wAp === 0) continue;
      const thx = t.thetaX[ix];
      const a = aBase + 0.5 * (thx * thx + thy * thy);
      // integrand at the nodes (independent of the energy)
      for (let j = 0; j < M; j++) {
        const tau = t.tauNodes[j];
        const ct = Math.cos(tau);
        const st = Math.sin(tau);
        const ctp = ct * cphi - st * sphi; // cos(τ + φ)
        const stp = st * cphi + ct * sphi; // sin(τ + φ)
        const bx = ax * ct;
        const by = -ay * ctp;
        const bxp = -ax * st;
        const byp = ay * stp;
        const ux = thx - bx;
        const uy = thy - by;
        const D = inv2g2 + 0.5 * (ux * ux + uy * uy);
        const ub = ux * bxp + uy * byp;
        const w = t.tauWeights[j] / (2 * Math.PI * D * D);
        gx[j] = (ux * ub - bxp * D) * w;
        gy[j] = (uy * ub - byp * D) * w;
        const s2t = 2 * st * ct;
        const c2t = ct * ct - st * st;
        const s2tp = s2t * (cphi * cphi - sphi * sphi) + c2t * (2 * sphi * cphi); // sin(2τ + 2φ)
        ph[j] = tau * a + wig * s2t + wig2 * s2tp - (thx * t.ky * st) / g + (thy * t.kx * stp) / g;
      }
      // the period integral at the Chebyshev points
      re.fill(0);
      for (let j = 0; j < M; j++) {
        const p0 = s0 * ph[j];
        const c0 = Math.cos(p0);
        const q0 = Math.sin(p0);
        const gxj = gx[j];
        const gyj = gy[j];
        if (m % 2 === 1) {
          const c = half;
          re[4 * c] += gxj * c0;
          re[4 * c + 1] += gxj * q0;
          re[4 * c + 2] += gyj * c0;
          re[4 * c + 3] += gyj * q0;
        }
        for (let c = 0; c < half; c++) {
          const dp = (t.chebS[c] - s0) * ph[j];
          const cd = Math.cos(dp);
          const sd = Math.sin(dp);
          // e^{i(s0+δ)φ} and e^{i(s0−δ)φ}; the Chebyshev points come in ± pairs (c, m−1−c)
          const cp = c0 * cd - q0 * sd;
          const sp = q0 * cd + c0 * sd;
          const cm = c0 * cd + q0 * sd;
          const sm = q0 * cd - c0 * sd;
          const o = 4 * c;
          re[o] += gxj * cp;
          re[o + 1] += gxj * sp;
          re[o + 2] += gyj * cp;
          re[o + 3] += gyj * sp;
          const r = 4 * (m - 1 - c);
          re[r] += gxj * cm;
          re[r + 1] += gxj * sm;
          re[r + 2] += gyj * cm;
          re[r + 3] += gyj * sm;
        }
      }
      // every energy: interpolate, then the grating factor
      for (let k = 0; k < nE; k++) {
        let axr = 0, axi = 0, ayr = 0, ayi = 0;
        const row = k * m;
        for (let c = 0; c < m; c++) {
          const b = bary[row + c];
          axr += b * re[4 * c];
          axi += b * re[4 * c + 1];
          ayr += b * re[4 * c + 2];
          ayi += b * re[4 * c + 3];
        }
        const a2 = axr * axr + axi * axi + ayr * ayr + ayi * ayi;
        const nu = t.s[k] * a;
        const d = nu - Math.round(nu);
        let grating: number;
        if (Math.abs(d) < 1e-9) {
          // sin(Nπd)/sin(πd) = N (1 − (N² − 1)π²d²/6 + …)
          const e = 1 - ((N * N - 1) * Math.PI * Math.PI * d * d) / 6;
          grating = N * N * e * e;
        } else {
          const r = Math.sin(N * Math.PI * d) / Math.sin(Math.PI * d);
          grating = r * r;
        }
        const f = a2 * grating;
        out[k] += wOn * f;
        out[nE + k] += wAp * f;
      }
    }
  }
  return out;
}
