/**
 * Touschek lifetime from the local optics, the local momentum acceptance and the bunch dimensions.
 *
 * Two formulas, both per position s and then averaged around the ring (∫ rate ds / L):
 *
 *  - Piwinski (default): A. Piwinski, "The Touschek effect in strong focusing storage rings",
 *    DESY 98-179 (1998), eq. (42) with the definitions of eqs. (32)-(41). Relativistic Møller
 *    cross-section, both transverse planes, horizontal and vertical dispersion. The same formula
 *    as pyAT's `get_lifetime` and elegant's `touschekLifetime`.
 *  - Bruck / Le Duff: H. Bruck, "Accélérateurs circulaires de particules" (1966);
 *    J. Le Duff, "Current and current density limitations in existing electron storage rings",
 *    NIM A239 (1985) 83 and CAS 1987 (CERN 89-01) eq. (3.22): a flat beam, non-relativistic motion
 *    in the bunch frame, 1/τ = r_e² c N D(ε) / (8π σx σy σs γ² δ³), ε = (δ / (γ σx'))².
 *    D(ε) is evaluated in closed form (exponential integrals) in `bruckD`.
 *
 * Conventions: δ is the relative momentum deviation; the momentum acceptance is given per position
 * as a positive and a negative side (both as positive numbers, |δ−|). The loss rate of a bunch is
 * the average of the rates computed with δ+ and with δ− (each formula counts both scattered
 * particles, i.e. it assumes a symmetric acceptance ±δ; pyAT averages the two sides the same way).
 * Lifetime here is the "half-current" convention of the formula papers: 1/τ = −(1/N) dN/dt at the
 * given bunch population N (the instantaneous rate, not an e-folding of a non-linear decay).
 */
import { C_LIGHT, R_ELECTRON, ELECTRON_MASS_EV } from '../constants.ts';

/** Optics sampled along the ring (one period or the whole ring: the average is over the samples' span). */
export interface LocalOptics {
  /** Position of each sample [m], increasing. */
  sM: ArrayLike<number>;
  betaX: ArrayLike<number>;
  alphaX: ArrayLike<number>;
  /** Horizontal dispersion [m] and its derivative dη/ds. */
  etaX: ArrayLike<number>;
  etaPX: ArrayLike<number>;
  betaY: ArrayLike<number>;
  alphaY?: ArrayLike<number>;
  etaY?: ArrayLike<number>;
  etaPY?: ArrayLike<number>;
}

export interface TouschekInput extends LocalOptics {
  /** Local momentum acceptance, positive side, per sample (e.g. 0.03 for +3 %); or one number for all. */
  momentumAcceptancePos: ArrayLike<number> | number;
  /** Local momentum acceptance, negative side as a positive number |δ−|; or one number for all. */
  momentumAcceptanceNeg: ArrayLike<number> | number;
  /** Horizontal and vertical emittances [m rad] (with coupling already applied). */
  emittanceX: number;
  emittanceY: number;
  /** Relative rms energy spread σδ. */
  energySpread: number;
  /** Rms bunch length [m]. */
  bunchLengthM: number;
  /** Electrons per bunch. */
  bunchPopulation: number;
  /** Total energy [eV] (electrons). */
  energyEV: number;
  method?: 'piwinski' | 'bruck';
}

export interface TouschekResult {
  /** Lifetime [s] = 1 / (ring-averaged loss rate per particle). */
  lifetimeS: number;
  /** Ring-averaged loss rate per particle [1/s]. */
  ratePerS: number;
  /** Local rate [1/s] per sample (the average of the δ+ and δ− rates). */
  localRatePerS: Float64Array;
  method: 'piwinski' | 'bruck';
}

export class LifetimeInputError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'LifetimeInputError';
  }
}

const EULER_GAMMA = 0.5772156649015329;

/** E1(x) = ∫_x^∞ e^{-u}/u du, x > 0 (A&S 5.1.11 series for x ≤ 1, continued fraction 5.1.22 above). */
export function expint1(x: number): number {
  if (!(x > 0)) throw new RangeError(`expint1: x must be > 0 (got ${x})`);
  if (x <= 1) {
    let sum = 0;
    let term = 1;
    for (let k = 1; k < 100; k++) {
      term *= -x / k;
      sum -= term / k;
      if (Math.abs(term / k) < 1e-17 * Math.abs(sum)) break;
    }
    return -EULER_GAMMA - Math.log(x) + sum;
  }
  // Lentz's continued fraction for e^x E1(x) = 1/(x+1-1/(x+3-4/(x+5-...)))
  let b = x + 1;
  let c = 1e300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 200; i++) {
    const a = -i * i;
    b += 2;
    d = 1 / (a * d + b);
    c = b + a / c;
    const del = c * d;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return h * Math.exp(-x);
}

/**
 * G(x) = ∫_x^∞ ln(u) e^{-u}/u du, from the term-by-term integration of the exponential series:
 * G(x) = (γ² + π²/6)/2 − (ln x)²/2 − Σ_{k≥1} (−x)^k/k! · (ln x / k − 1/k²).
 * The constant is ∫_0^∞ ln u (e^{-u} − [u<1]) du/u = Γ''(1)/2. Accurate for 0 < x ≲ 8.
 */
export function logExpIntegral(x: number): number {
  const L = Math.log(x);
  let sum = 0;
  let t = 1;
  for (let k = 1; k < 400; k++) {
    t *= -x / k;
    const term = t * (L / k - 1 / (k * k));
    sum += term;
    if (Math.abs(term) < 1e-18 && k > x) break;
  }
  return (EULER_GAMMA * EULER_GAMMA + (Math.PI * Math.PI) / 6) / 2 - (L * L) / 2 - sum;
}

/**
 * Bruck's Touschek function D(ε) in closed form (Le Duff, CERN 89-01, eq. 3.23):
 * D(ε) = √ε [ −(3/2) e^{−ε} + (ε/2) ∫_ε^∞ ln(u) e^{−u}/u du + (1/2)(3ε − ε ln ε + 2) ∫_ε^∞ e^{−u}/u du ].
 * Above ε = 6 the alternating series loses digits, so the equivalent integral form
 * D(ε) = ε^{3/2} ∫_ε^∞ (u/ε − ½ ln(u/ε) − 1) e^{−u}/u² du is integrated numerically there.
 */
export function bruckD(eps: number): number {
  if (!(eps > 0)) throw new RangeError(`bruckD: ε must be > 0 (got ${eps})`);
  if (eps <= 6) {
    return (
      Math.sqrt(eps) *
      (-1.5 * Math.exp(-eps) + (eps / 2) * logExpIntegral(eps) + 0.5 * (3 * eps - eps * Math.log(eps) + 2) * expint1(eps))
    );
  }
  // u = ε + v, v ∈ [0, 60]: the integrand falls as e^{−v}.
  const f = (v: number) => {
    const u = eps + v;
    return (u / eps - 0.5 * Math.log(u / eps) - 1) * Math.exp(-v) / (u * u);
  };
  return Math.pow(eps, 1.5) * Math.exp(-eps) * gaussLegendre(f, 0, 60, 60);
}

// 16-point Gauss–Legendre nodes and weights on [-1, 1] (A&S table 25.4).
const GL_X = [
  0.0950125098376374, 0.2816035507792589, 0.4580167776572274, 0.6178762444026438, 0.755404408355003,
  0.8656312023878318, 0.9445750230732326, 0.9894009349916499,
];
const GL_W = [
  0.1894506104550685, 0.1826034150449236, 0.1691565193950025, 0.1495959888165767, 0.1246289712555339,
  0.0951585116824928, 0.0622535239386479, 0.0271524594117541,
];

/** Composite 16-point Gauss–Legendre quadrature of f over [a, b] with `panels` equal panels. */
export function gaussLegendre(f: (x: number) => number, a: number, b: number, panels: number): number {
  const h = (b - a) / panels;
  let sum = 0;
  for (let p = 0; p < panels; p++) {
    const mid = a + (p + 0.5) * h;
    const half = 0.5 * h;
    for (let i = 0; i < 8; i++) {
      const dx = half * GL_X[i];
      sum += GL_W[i] * (f(mid - dx) + f(mid + dx));
    }
  }
  return sum * 0.5 * h;
}

/**
 * e^{−x} I0(x) for x ≥ 0 (modified Bessel function, scaled). Abramowitz & Stegun 9.8.1 (x ≤ 3.75)
 * and 9.8.2 (x > 3.75); relative error < 2e-7.
 */
export function besselI0Scaled(x: number): number {
  if (x <= 3.75) {
    const t = (x / 3.75) ** 2;
    const i0 =
      1 + t * (3.5156229 + t * (3.0899424 + t * (1.2067492 + t * (0.2659732 + t * (0.0360768 + t * 0.0045813)))));
    return i0 * Math.exp(-x);
  }
  const t = 3.75 / x;
  const p =
    0.39894228 +
    t * (0.01328592 + t * (0.00225319 + t * (-0.00157565 + t * (0.00916281 + t * (-0.02057706 + t * (0.02635537 + t * (-0.01647633 + t * 0.00392377)))))));
  return p / Math.sqrt(x);
}

/** The per-position quantities of Piwinski's formula (DESY 98-179 eqs. 32-41). */
interface PiwinskiLocal {
  /** Prefactor r_e² c βx βy σh N / (8√π β² γ⁴ σxβ² σyβ² σs σp) [1/s]. */
  prefactor: number;
  B1: number;
  B2: number;
  /** B1 − B2, computed without cancellation as (B1² − B2²)/(B1 + B2). */
  B1minusB2: number;
}

function piwinskiLocal(
  bx: number, ax: number, dx: number, dpx: number,
  by: number, ay: number, dy: number, dpy: number,
  inp: TouschekInput, beta2: number, gamma: number,
): PiwinskiLocal {
  const sp = inp.energySpread;
  const sp2 = sp * sp;
  const sxb2 = bx * inp.emittanceX; // σxβ²
  const syb2 = by * inp.emittanceY;
  const sx2 = sxb2 + dx * dx * sp2; // σx²
  const sy2 = syb2 + dy * dy * sp2;
  const dtx = ax * dx + bx * dpx; // D̃x = αx Dx + βx D'x
  const dty = ay * dy + by * dpy;
  const sh2 = 1 / (1 / sp2 + (dx * dx + dtx * dtx) / sxb2 + (dy * dy + dty * dty) / syb2); // σh²
  const g2 = gamma * gamma;
  const bg2 = beta2 * g2;
  const B1 = (1 / (2 * bg2)) * ((bx * bx) / sxb2 * (1 - (sh2 * dtx * dtx) / sxb2) + (by * by) / syb2 * (1 - (sh2 * dty * dty) / syb2));
  // B1² − B2² = βx² βy² σh² (σx² σy² − σp⁴ Dx² Dy²) / (β⁴ γ⁴ σxβ⁴ σyβ⁴ σp²)  (eq. 41 rearranged)
  const diff = ((bx * bx * by * by * sh2) / (bg2 * bg2 * sxb2 * sxb2 * syb2 * syb2 * sp2)) * (sx2 * sy2 - sp2 * sp2 * dx * dx * dy * dy);
  const B2 = Math.sqrt(Math.max(B1 * B1 - diff, 0));
  const sh = Math.sqrt(sh2);
  const prefactor =
    (R_ELECTRON * R_ELECTRON * C_LIGHT * bx * by * sh * inp.bunchPopulation) /
    (8 * Math.sqrt(Math.PI) * beta2 * g2 * g2 * sxb2 * syb2 * inp.bunchLengthM * sp);
  return { prefactor, B1, B2, B1minusB2: diff / (B1 + B2) };
}

/**
 * Piwinski's integral ∫_{τm}^∞ f(τ) e^{−B1 τ} I0(B2 τ) √τ/√(1+τ) dτ (eq. 42), with
 * f = (2 + 1/τ)² (τ/τm/(1+τ) − 1) + 1 − √(1+τ) √(τm/τ) − (4 + 1/τ) ln(τ/τm/(1+τ)) / (2τ).
 * Substitution τ = τm e^u (the integrand spans decades above τm); e^{−B1τ} I0(B2τ) is evaluated as
 * e^{−(B1−B2)τ} · [e^{−B2τ} I0(B2τ)] so that flat beams (B1 ≈ B2 ≫ 1) do not overflow.
 */
export function piwinskiIntegral(tauM: number, B1: number, B2: number, B1minusB2 = B1 - B2): number {
  const c = B1minusB2;
  // Upper end: the exponential has fallen by e^{-60}, and at least two decades above τm.
  const tauMax = Math.max(tauM * 100, tauM + 60 / c);
  const uMax = Math.log(tauMax / tauM);
  const f = (u: number) => {
    const tau = tauM * Math.exp(u);
    const r = tau / tauM / (1 + tau);
    const a = 2 + 1 / tau;
    const bracket = a * a * (r - 1) + 1 - Math.sqrt(1 + tau) * Math.sqrt(tauM / tau) - ((4 + 1 / tau) * Math.log(r)) / (2 * tau);
    const kernel = Math.exp(-c * tau) * besselI0Scaled(B2 * tau);
    return bracket * kernel * Math.sqrt(tau / (1 + tau)) * tau; // dτ = τ du
  };
  return gaussLegendre(f, 0, uMax, 48);
}

function valueAt(a: ArrayLike<number> | number, i: number): number {
  return typeof a === 'number' ? a : a[i];
}

/** Checks every input and names the first bad one. */
export function validateTouschekInput(inp: TouschekInput): void {
  const n = inp.sM.length;
  if (n < 2) throw new LifetimeInputError('sM', 'need at least two optics samples');
  const arrays: Array<[string, ArrayLike<number> | undefined]> = [
    ['betaX', inp.betaX], ['alphaX', inp.alphaX], ['etaX', inp.etaX], ['etaPX', inp.etaPX], ['betaY', inp.betaY],
    ['alphaY', inp.alphaY], ['etaY', inp.etaY], ['etaPY', inp.etaPY],
  ];
  for (const [name, arr] of arrays) {
    if (arr === undefined) continue;
    if (arr.length !== n) throw new LifetimeInputError(name, `has ${arr.length} values but sM has ${n}`);
    for (let i = 0; i < n; i++) if (!Number.isFinite(arr[i])) throw new LifetimeInputError(name, `value ${i} is not finite (${arr[i]})`);
  }
  for (let i = 0; i < n; i++) {
    if (!(inp.betaX[i] > 0)) throw new LifetimeInputError('betaX', `must be > 0 (sample ${i}: ${inp.betaX[i]})`);
    if (!(inp.betaY[i] > 0)) throw new LifetimeInputError('betaY', `must be > 0 (sample ${i}: ${inp.betaY[i]})`);
    if (i > 0 && !(inp.sM[i] >= inp.sM[i - 1])) throw new LifetimeInputError('sM', `must not decrease (sample ${i})`);
  }
  if (!(inp.sM[n - 1] > inp.sM[0])) throw new LifetimeInputError('sM', 'samples span zero length');
  for (const side of ['momentumAcceptancePos', 'momentumAcceptanceNeg'] as const) {
    const a = inp[side];
    if (typeof a !== 'number' && a.length !== n) throw new LifetimeInputError(side, `has ${a.length} values but sM has ${n}`);
    for (let i = 0; i < (typeof a === 'number' ? 1 : n); i++) {
      const v = valueAt(a, i);
      if (!(v > 0 && v < 1)) throw new LifetimeInputError(side, `must be in (0, 1) as |δ| (got ${v} at sample ${i})`);
    }
  }
  const pos: Array<[keyof TouschekInput, number]> = [
    ['emittanceX', inp.emittanceX], ['emittanceY', inp.emittanceY], ['energySpread', inp.energySpread],
    ['bunchLengthM', inp.bunchLengthM], ['energyEV', inp.energyEV],
  ];
  for (const [name, v] of pos) if (!(v > 0 && Number.isFinite(v))) throw new LifetimeInputError(name, `must be a positive number (got ${v})`);
  if (!(inp.bunchPopulation >= 0 && Number.isFinite(inp.bunchPopulation)))
    throw new LifetimeInputError('bunchPopulation', `must be ≥ 0 (got ${inp.bunchPopulation})`);
  if (inp.energyEV <= ELECTRON_MASS_EV) throw new LifetimeInputError('energyEV', `must exceed the electron rest energy (got ${inp.energyEV})`);
}

/** Local Touschek loss rate [1/s] at sample i for a symmetric acceptance ±delta. */
function localRate(inp: TouschekInput, i: number, delta: number, method: 'piwinski' | 'bruck', beta2: number, gamma: number): number {
  const bx = inp.betaX[i], ax = inp.alphaX[i], dx = inp.etaX[i], dpx = inp.etaPX[i];
  const by = inp.betaY[i];
  const ay = inp.alphaY ? inp.alphaY[i] : 0;
  const dy = inp.etaY ? inp.etaY[i] : 0;
  const dpy = inp.etaPY ? inp.etaPY[i] : 0;
  if (method === 'piwinski') {
    const p = piwinskiLocal(bx, ax, dx, dpx, by, ay, dy, dpy, inp, beta2, gamma);
    const tauM = beta2 * delta * delta;
    return p.prefactor * piwinskiIntegral(tauM, p.B1, p.B2, p.B1minusB2);
  }
  // Bruck / Le Duff with the horizontal dispersion folded into the effective angular spread
  // (the H-function form: 1/σx'_eff² = 4 C1 of the LNLS implementation of Le Duff's formula).
  const sp2 = inp.energySpread * inp.energySpread;
  const sxb2 = bx * inp.emittanceX;
  const sx = Math.sqrt(sxb2 + dx * dx * sp2);
  const sy = Math.sqrt(by * inp.emittanceY + dy * dy * sp2);
  const dt = bx * dpx + ax * dx;
  const A1 = 1 / (4 * sp2) + (dx * dx + dt * dt) / (4 * sxb2);
  const B1 = (bx * dt) / (2 * sxb2);
  const C1 = (bx * bx) / (4 * sxb2) - (B1 * B1) / (4 * A1);
  const eps = (4 * C1 * delta * delta) / (gamma * gamma);
  return (
    (R_ELECTRON * R_ELECTRON * C_LIGHT * inp.bunchPopulation * bruckD(eps)) /
    (8 * Math.PI * sx * sy * inp.bunchLengthM * gamma * gamma * delta ** 3)
  );
}

/** Touschek lifetime of one bunch of `bunchPopulation` electrons (see the module comment). */
export function touschekLifetime(inp: TouschekInput): TouschekResult {
  validateTouschekInput(inp);
  const method = inp.method ?? 'piwinski';
  const gamma = inp.energyEV / ELECTRON_MASS_EV;
  const beta2 = 1 - 1 / (gamma * gamma);
  const n = inp.sM.length;
  const local = new Float64Array(n);
  // Samples that repeat the same s and the same optics (element boundaries) are computed once.
  for (let i = 0; i < n; i++) {
    const dp = valueAt(inp.momentumAcceptancePos, i);
    const dn = valueAt(inp.momentumAcceptanceNeg, i);
    if (inp.bunchPopulation === 0) { local[i] = 0; continue; }
    const rp = localRate(inp, i, dp, method, beta2, gamma);
    const rn = dn === dp ? rp : localRate(inp, i, dn, method, beta2, gamma);
    local[i] = 0.5 * (rp + rn);
  }
  // Trapezoidal average over the span of the samples.
  let integral = 0;
  for (let i = 1; i < n; i++) integral += 0.5 * (local[i] + local[i - 1]) * (inp.sM[i] - inp.sM[i - 1]);
  const rate = integral / (inp.sM[n - 1] - inp.sM[0]);
  return { lifetimeS: rate > 0 ? 1 / rate : Infinity, ratePerS: rate, localRatePerS: local, method };
}
