/**
 * Special functions the source formulas need: Bessel J_m of integer order, the modified Bessel
 * function K_ν and its tail integral (bending-magnet / wiggler spectra), and erf.
 *
 * Each is written for the argument ranges the source formulas use and is accurate to ~1e-14
 * there (checked in test/beamlines/devices/special.test.ts against tabulated values).
 */

/**
 * Bessel function of the first kind, integer order m (any sign), real x.
 * Bessel's integral J_m(x) = (1/2π) ∫_0^{2π} cos(mτ − x sin τ) dτ (DLMF 10.9.2), evaluated with the
 * trapezoidal rule, which is exact up to aliasing terms J_{m ± 2M}(x) for a periodic integrand
 * (Trefethen & Weideman, SIAM Rev. 56 (2014) 385): M > (|m| + |x|)/2 + 20 makes them < 1e-16.
 * The absolute error is ~1e-16 (not relative: tiny J values carry that absolute error).
 */
export function besselJ(m: number, x: number): number {
  const M = Math.max(32, Math.ceil((Math.abs(m) + Math.abs(x)) / 2) + 24);
  // the integrand is even about τ = π: the 2M-point periodic sum equals the half-range sum
  // over 0…π with half weights at the ends
  const h = Math.PI / M;
  let s = 0.5 * (1 + Math.cos(m * Math.PI));
  for (let j = 1; j < M; j++) {
    const t = j * h;
    s += Math.cos(m * t - x * Math.sin(t));
  }
  return s / M;
}

/**
 * Modified Bessel function of the second kind K_ν(x), x > 0, from
 * K_ν(x) = ∫_0^∞ exp(−x cosh t) cosh(νt) dt (DLMF 10.32.9). The integrand decays doubly
 * exponentially, so the trapezoidal rule converges geometrically; step 0.05 gives ~1e-15.
 */
export function besselK(nu: number, x: number): number {
  return tailIntegral(x, (t) => Math.cosh(nu * t));
}

/**
 * ∫_y^∞ K_ν(x) dx = ∫_0^∞ exp(−y cosh t) cosh(νt)/cosh(t) dt (swap the order of integration in
 * DLMF 10.32.9). Used for the synchrotron function G1(y) = y ∫_y^∞ K_{5/3}.
 */
export function besselKIntegral(nu: number, y: number): number {
  return tailIntegral(y, (t) => Math.cosh(nu * t) / Math.cosh(t));
}

function tailIntegral(x: number, g: (t: number) => number): number {
  if (!(x > 0)) throw new RangeError(`Bessel K argument must be > 0, got ${x}`);
  const h = 0.05;
  let s = 0.5 * Math.exp(-x) * g(0);
  for (let k = 1; ; k++) {
    const t = k * h;
    const term = Math.exp(-x * Math.cosh(t)) * g(t);
    s += term;
    if (term < 1e-18 * s || t > 40) break;
  }
  return s * h;
}

/**
 * Error function, |error| < 2e-15: Maclaurin series for |x| < 2.5, Lentz continued fraction for
 * erfc above (Abramowitz & Stegun 7.1.5 and 7.1.14).
 */
export function erf(x: number): number {
  if (x < 0) return -erf(-x);
  if (x < 2.5) {
    // erf x = (2/√π) Σ (−1)^k x^{2k+1} / (k! (2k+1))
    let term = x;
    let s = x;
    const x2 = x * x;
    for (let k = 1; k < 200; k++) {
      term *= -x2 / k;
      const add = term / (2 * k + 1);
      s += add;
      if (Math.abs(add) < 1e-17 * Math.abs(s)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * s;
  }
  return 1 - erfc(x);
}

/** Complementary error function for x ≥ 2.5 (continued fraction, modified Lentz). */
function erfc(x: number): number {
  // erfc x = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
  const tiny = 1e-300;
  let f = x;
  let C = x;
  let D = 0;
  for (let k = 1; k < 300; k++) {
    const a = k / 2;
    D = x + a * D;
    D = D === 0 ? tiny : 1 / D;
    C = x + a / C;
    if (C === 0) C = tiny;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
