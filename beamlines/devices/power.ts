/**
 * Radiated power of an insertion device: total, on-axis angular density (closed forms) and the
 * angular density in any direction from the trajectory (period-averaged Liénard–Wiechert power),
 * which also gives the power through an aperture. Closed forms for totals, never a mesh sum
 * (xrt#60: mesh-dependent totals; undulator.md §1).
 *
 * Units: W, and W/mrad² for angular densities. Far field, ideal sinusoidal field, filament beam.
 */
import { C_LIGHT, E_CHARGE, EPSILON_0 } from '../../sim/constants.ts';
import { gammaOf, type ElectronBeam } from './beam.ts';
import type { DeviceSetting } from './undulator.ts';

type Beam = Pick<ElectronBeam, 'energyEV' | 'currentA'>;

/** Vacuum impedance Z0 = 1/(ε0 c) [Ω]. */
const Z0 = 1 / (EPSILON_0 * C_LIGHT);

/**
 * Total power [W]: P = N Z0 I e 2πc γ² (kx² + ky²) / (6 λu)  (undulator.md §2.10; equals
 * 633 E²[GeV] (Bx0² + By0²) L I for a planar device). Independent of the phase φ.
 */
export function totalPowerW(d: DeviceSetting, beam: Beam): number {
  const g = gammaOf(beam);
  return (d.periods * Z0 * beam.currentA * E_CHARGE * 2 * Math.PI * C_LIGHT * g * g * (d.kx * d.kx + d.ky * d.ky)) / (6 * d.periodM);
}

/** Kim's G(K) = K (K⁶ + 24K⁴/7 + 4K² + 16/7) / (1 + K²)^{7/2} (X-ray Data Booklet eq. 2.9). */
export function kimG(k: number): number {
  const k2 = k * k;
  return (k * (k2 * k2 * k2 + (24 / 7) * k2 * k2 + 4 * k2 + 16 / 7)) / Math.pow(1 + k2, 3.5);
}

/** On-axis power density of a planar device [W/mrad²]: P · 21 γ² G(K) / (16π K) per rad². */
export function onAxisPowerDensityPlanar(d: DeviceSetting, beam: Beam): number {
  const k = Math.hypot(d.kx, d.ky);
  const g = gammaOf(beam);
  return ((totalPowerW(d, beam) * 21 * g * g * kimG(k)) / (16 * Math.PI * k)) * 1e-6;
}

/**
 * On-axis power density of a helical device (kx = ky = K0, φ = ±π/2) [W/mrad²]:
 *   2 e I N K0² γ⁴ / (ε0 λu (1 + K0²)³) per sr  (undulator.md §2.10; the axis is a dip of a ring at θ ≈ K0/γ).
 */
export function onAxisPowerDensityHelical(d: DeviceSetting, beam: Beam): number {
  const g = gammaOf(beam);
  const k0 = d.kx;
  return ((2 * E_CHARGE * beam.currentA * d.periods * k0 * k0 * g ** 4) / (EPSILON_0 * d.periodM * (1 + k0 * k0) ** 3)) * 1e-6;
}

/**
 * Angular power density in direction (θx, θy) [W/mrad²], exact for an ideal device in the far field
 * to leading order in 1/γ (undulator.md §2.10; Jackson eq. 14.38 averaged over one period):
 *   d²P/dΩ = (I/e)(N λu/c) ⟨ e²/(16π² ε0 c) |n × ((n − β) × β̇)|² / (1 − n·β)⁵ ⟩_period.
 * Small angles: n − β ⊥ = u = θ − β⊥, 1 − n·β = D = 1/(2γ²) + |u|²/2, and the transverse part of
 * n × ((n − β) × β̇) is u (u·β̇) − β̇ D. With τ = 2πz/λu, β̇ = ωu dβ/dτ, ωu = 2πc/λu.
 * The period average is a trapezoidal sum over `phasePoints` (spectrally accurate: periodic integrand).
 */
export function angularPowerDensity(d: DeviceSetting, beam: Beam, thetaXRad: number, thetaYRad: number, phasePoints?: number): number {
  const g = gammaOf(beam);
  // The integrand peaks where β⊥ passes θ, with a width ~1/K in phase: the trapezoidal sum needs
  // ~48 K points for 1e-12 (tested up to K = 9).
  if (phasePoints === undefined) phasePoints = Math.max(256, 2 * Math.ceil(24 * Math.hypot(d.kx, d.ky)));
  const inv2g2 = 1 / (2 * g * g);
  const ax = d.ky / g;
  const ay = d.kx / g;
  let sum = 0;
  for (let j = 0; j < phasePoints; j++) {
    const t = (2 * Math.PI * j) / phasePoints;
    // βx = (ky/γ) cos τ, βy = −(kx/γ) cos(τ + φ); derivatives with respect to τ
    const bx = ax * Math.cos(t);
    const by = -ay * Math.cos(t + d.phaseRad);
    const bxp = -ax * Math.sin(t);
    const byp = ay * Math.sin(t + d.phaseRad);
    const ux = thetaXRad - bx;
    const uy = thetaYRad - by;
    const D = inv2g2 + 0.5 * (ux * ux + uy * uy);
    const ub = ux * bxp + uy * byp;
    const vx = ux * ub - bxp * D;
    const vy = uy * ub - byp * D;
    sum += (vx * vx + vy * vy) / (D * D * D * D * D);
  }
  const avg = sum / phasePoints;
  const omegaU = (2 * Math.PI * C_LIGHT) / d.periodM;
  const perElectron = (E_CHARGE * E_CHARGE) / (16 * Math.PI * Math.PI * EPSILON_0 * C_LIGHT) * omegaU * omegaU * avg * ((d.periods * d.periodM) / C_LIGHT);
  return (beam.currentA / E_CHARGE) * perElectron * 1e-6;
}

/**
 * Power [W] through a centred rectangular aperture of full angles (ax × ay) [rad]: composite
 * Gauss–Legendre quadrature of angularPowerDensity, panels of 0.5/γ across the fan (±K/γ) and
 * geometrically growing panels beyond, `nodes` points per panel (converges to ~1e-6, tested).
 */
export function powerThroughAperture(d: DeviceSetting, beam: Beam, fullAngleXRad: number, fullAngleYRad: number, nodes = 12): number {
  const g = gammaOf(beam);
  const [xs, wx] = compositeNodes(fullAngleXRad / 2, Math.abs(d.ky) / g, 1 / g, nodes);
  const [ys, wy] = compositeNodes(fullAngleYRad / 2, Math.abs(d.kx) / g, 1 / g, nodes);
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    for (let j = 0; j < ys.length; j++) s += wx[i] * wy[j] * angularPowerDensity(d, beam, xs[i], ys[j]);
  }
  return s * 1e6; // the density is per mrad², the weights in rad
}

/** Nodes and weights on [−half, half]: uniform panels of 0.5·unit over the fan, then ×1.6 growth. */
function compositeNodes(half: number, fan: number, unit: number, nodes: number): [number[], number[]] {
  const edges = [0];
  let e = 0;
  while (e < half) {
    const step = e < fan + 2 * unit ? 0.5 * unit : Math.max(0.5 * unit, 0.6 * e);
    e = Math.min(half, e + step);
    edges.push(e);
  }
  const [gx, gw] = gaussLegendre(nodes);
  const xs: number[] = [];
  const ws: number[] = [];
  for (let p = 0; p + 1 < edges.length; p++) {
    const a = edges[p];
    const b = edges[p + 1];
    for (let k = 0; k < nodes; k++) {
      const x = 0.5 * (a + b) + 0.5 * (b - a) * gx[k];
      const w = 0.5 * (b - a) * gw[k];
      xs.push(x, -x);
      ws.push(w, w);
    }
  }
  return [xs, ws];
}

/** Gauss–Legendre nodes and weights on [−1, 1] (Newton on P_n, Golub–Welsch not needed for n ≤ 200). */
export function gaussLegendre(n: number): [Float64Array, Float64Array] {
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let pp = 0;
    for (let it = 0; it < 100; it++) {
      let p1 = 1;
      let p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = ((2 * j - 1) * z * p2 - (j - 1) * p3) / j;
      }
      pp = (n * (z * p1 - p2)) / (z * z - 1);
      const dz = p1 / pp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    x[i] = -z;
    w[i] = 2 / ((1 - z * z) * pp * pp);
  }
  return [x, w];
}
