/**
 * Intra-beam scattering (IBS) in the high-energy approximation of K. Bane, "An accurate, simplified
 * model of intrabeam scattering", SLAC-AP-141 (2002), eqs. (10)-(12), and the equilibrium it reaches
 * with radiation damping.
 *
 * Growth rates (of the amplitudes: 1/T_p = σδ⁻¹ dσδ/dt, 1/T_x = εx^{-1/2} dεx^{1/2}/dt):
 *   1/T_p = r_e² c N (log) / (16 γ³ εx^{3/4} εy^{3/4} σs σδ³) · ⟨ σH g(a/b) (βx βy)^{-1/4} ⟩
 *   1/T_x = σδ² ⟨Hx⟩ / εx · 1/T_p
 *   1/σH² = 1/σδ² + Hx/εx,  a = (σH/γ)√(βx/εx),  b = (σH/γ)√(βy/εy)
 *   g(α) = (2√α/π) ∫_0^∞ du / (√(1+u²) √(α²+u²)) = √α / AGM(1, α)   (the integral is the complete
 *   elliptic integral K, evaluated exactly with the arithmetic-geometric mean).
 * Coulomb logarithm (log) = ln(γ² σy εx / (r_e βx)) with ring averages (Bane eq. 13).
 *
 * Equilibrium with radiation (amplitude damping times τ): εx = εx0 / (1 − τx/T_x),
 * σδ² = σδ0² / (1 − τz/T_p), σs ∝ σδ (no potential-well distortion), εy = κ εx (the vertical
 * emittance is assumed to come from betatron coupling, so it follows εx). Solved by fixed-point
 * iteration; a beam above the IBS threshold (τ/T ≥ 1) is reported as an error, never as NaN.
 */
import { ELECTRON_MASS_EV, R_ELECTRON, C_LIGHT } from '../constants.ts';
import { LifetimeInputError, type LocalOptics } from './touschek.ts';

/** Bane's g(α) = √α / AGM(1, α), exact. */
export function baneG(alpha: number): number {
  if (!(alpha > 0)) throw new RangeError(`baneG: α must be > 0 (got ${alpha})`);
  let a = 1, b = alpha;
  for (let i = 0; i < 60 && Math.abs(a - b) > 1e-15 * a; i++) {
    const m = 0.5 * (a + b);
    b = Math.sqrt(a * b);
    a = m;
  }
  return Math.sqrt(alpha) / a;
}

export interface IbsInput {
  optics: LocalOptics;
  energyEV: number;
  bunchPopulation: number;
  emittanceX: number;
  emittanceY: number;
  energySpread: number;
  bunchLengthM: number;
}

export interface IbsRates {
  /** Amplitude growth rates [1/s]. */
  longitudinalPerS: number;
  horizontalPerS: number;
  coulombLog: number;
}

/** Bane's IBS growth rates for the given beam. */
export function ibsGrowthRates(inp: IbsInput): IbsRates {
  const o = inp.optics;
  const n = o.sM.length;
  const gamma = inp.energyEV / ELECTRON_MASS_EV;
  const { emittanceX: ex, emittanceY: ey, energySpread: sp } = inp;
  const sp2 = sp * sp;
  let sumF = 0, sumH = 0, sumSy = 0, sumBx = 0;
  const f = new Float64Array(n), hArr = new Float64Array(n), sy = new Float64Array(n), bxA = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const bx = o.betaX[i], ax = o.alphaX[i], eta = o.etaX[i], etap = o.etaPX[i], by = o.betaY[i];
    const gx = (1 + ax * ax) / bx;
    const H = gx * eta * eta + 2 * ax * eta * etap + bx * etap * etap; // Hx = γη² + 2αηη' + βη'²
    const sH = 1 / Math.sqrt(1 / sp2 + H / ex);
    const a = (sH / gamma) * Math.sqrt(bx / ex);
    const b = (sH / gamma) * Math.sqrt(by / ey);
    f[i] = sH * baneG(a / b) / Math.pow(bx * by, 0.25);
    hArr[i] = H;
    sy[i] = Math.sqrt(by * ey + (o.etaY ? o.etaY[i] ** 2 * sp2 : 0));
    bxA[i] = bx;
  }
  // length-weighted averages (trapezoid)
  const L = o.sM[n - 1] - o.sM[0];
  for (let i = 1; i < n; i++) {
    const ds = o.sM[i] - o.sM[i - 1];
    sumF += 0.5 * (f[i] + f[i - 1]) * ds;
    sumH += 0.5 * (hArr[i] + hArr[i - 1]) * ds;
    sumSy += 0.5 * (sy[i] + sy[i - 1]) * ds;
    sumBx += 0.5 * (bxA[i] + bxA[i - 1]) * ds;
  }
  const avgF = sumF / L, avgH = sumH / L, avgSy = sumSy / L, avgBx = sumBx / L;
  const coulombLog = Math.log((gamma * gamma * avgSy * ex) / (R_ELECTRON * avgBx));
  const tp =
    (R_ELECTRON * R_ELECTRON * C_LIGHT * inp.bunchPopulation * coulombLog) /
    (16 * gamma ** 3 * Math.pow(ex, 0.75) * Math.pow(ey, 0.75) * inp.bunchLengthM * sp ** 3) *
    avgF;
  return { longitudinalPerS: tp, horizontalPerS: ((sp2 * avgH) / ex) * tp, coulombLog };
}

export interface IbsEquilibrium {
  emittanceX: number;
  emittanceY: number;
  energySpread: number;
  bunchLengthM: number;
  rates: IbsRates;
  iterations: number;
  /** Growth factors relative to the zero-current beam. */
  growth: { emittanceX: number; energySpread: number };
}

/**
 * Steady state with radiation damping (amplitude damping times τx, τz [s]) and coupling κ = εy/εx.
 * Inputs are the zero-current values.
 */
export function ibsEquilibrium(
  inp: IbsInput, dampingTimeXS: number, dampingTimeZS: number, coupling: number,
): IbsEquilibrium {
  if (!(inp.bunchPopulation >= 0)) throw new LifetimeInputError('bunchPopulation', `must be ≥ 0 (got ${inp.bunchPopulation})`);
  let ex = inp.emittanceX, sp = inp.energySpread, ss = inp.bunchLengthM;
  let rates: IbsRates = { longitudinalPerS: 0, horizontalPerS: 0, coulombLog: 0 };
  let it = 0;
  for (; it < 200; it++) {
    rates = ibsGrowthRates({ ...inp, emittanceX: ex, emittanceY: coupling * ex, energySpread: sp, bunchLengthM: ss });
    const rx = dampingTimeXS * rates.horizontalPerS;
    const rz = dampingTimeZS * rates.longitudinalPerS;
    if (!(rx < 1 && rz < 1))
      throw new LifetimeInputError('currentA', `intra-beam scattering exceeds radiation damping (τx/Tx = ${rx.toFixed(2)}, τz/Tp = ${rz.toFixed(2)}): no equilibrium at this bunch charge`);
    const exNew = inp.emittanceX / (1 - rx);
    const spNew = inp.energySpread / Math.sqrt(1 - rz);
    // Damped update (half step) for robust convergence at high charge.
    const exNext = 0.5 * (ex + exNew), spNext = 0.5 * (sp + spNew);
    const done = Math.abs(exNext / ex - 1) < 1e-10 && Math.abs(spNext / sp - 1) < 1e-10;
    ex = exNext; sp = spNext; ss = (inp.bunchLengthM * sp) / inp.energySpread;
    if (done) break;
  }
  return {
    emittanceX: ex,
    emittanceY: coupling * ex,
    energySpread: sp,
    bunchLengthM: ss,
    rates,
    iterations: it + 1,
    growth: { emittanceX: ex / inp.emittanceX, energySpread: sp / inp.energySpread },
  };
}
