/**
 * Perfect-crystal Bragg reflections for double-crystal monochromators: Bragg angle, Darwin width,
 * relative bandwidth, refraction shift, from the structure factors tabulated by
 * materials/generate.py (xraylib; Debye–Waller factor of room temperature included).
 *
 * Dynamical theory, symmetric Bragg case, thick non-absorbing crystal (Zachariasen, Theory of
 * X-ray Diffraction in Crystals (1945) eq. 3.141; Authier, Dynamical Theory of X-ray Diffraction
 * (2001) §4.7; Als-Nielsen & McMorrow, Elements of Modern X-ray Physics 2nd ed. (2011) §6.4):
 *   total-reflection (Darwin) width   ω_D = 2 |C| r_e λ² |F_h| / (π V sin 2θ_B)
 *   FWHM of the Darwin curve          w = 3/(2√2) · ω_D            (Als-Nielsen & McMorrow eq. 6.27)
 *   relative bandwidth                ΔE/E = w / tan θ_B = (3/(2√2)) · 4 r_e d² |F_h| / (π V)
 *   refraction shift of the centre    Δθ = r_e λ² Re F_0 / (π V sin 2θ_B)
 * C = 1 for σ- (s-) polarisation, |cos 2θ_B| for π. ΔE/E does not depend on the energy (apart from
 * f′ in F_h): it is the number that characterises a reflection (Si(111) ≈ 1.3–1.4 × 10⁻⁴).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { R_ELECTRON } from '../../sim/constants.ts';
import { HC_EVM } from '../devices/undulator.ts';
import { OpticsError } from './errors.ts';
import { logBracket } from './table.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface Reflection {
  crystal: string;
  /** Miller indices as a string ("111"). */
  hkl: string;
  dSpacingM: number;
  cellVolumeM3: number;
  energyEV: Float64Array;
  fhRe: Float64Array;
  fhIm: Float64Array;
  /** |F_h′| and |F_h″|: structure factors of the real (f0 + f′) and imaginary (f″) parts of f. */
  fhRealPartAbs: Float64Array;
  fhImagPartAbs: Float64Array;
  f0Re: Float64Array;
  f0Im: Float64Array;
}

interface CrystalFile {
  crystals: Record<string, {
    cellVolumeM3: number;
    reflections: Record<string, { dSpacingM: number; energyEV: number[]; fhRe: number[]; fhIm: number[]; fhRealPartAbs: number[]; fhImagPartAbs: number[]; f0Re: number[]; f0Im: number[] }>;
  }>;
}

let cache: CrystalFile | undefined;
function table(): CrystalFile {
  cache ??= JSON.parse(readFileSync(join(HERE, 'materials', 'crystals.json'), 'utf8')) as CrystalFile;
  return cache;
}

/** A tabulated reflection, e.g. reflection('Si', '111'). */
export function reflection(crystal: string, hkl: string): Reflection {
  const c = table().crystals[crystal];
  if (!c) throw new OpticsError(`unknown crystal "${crystal}" (known: ${Object.keys(table().crystals).join(', ')})`);
  const r = c.reflections[hkl];
  if (!r) throw new OpticsError(`crystal ${crystal}: reflection (${hkl}) is not tabulated (known: ${Object.keys(c.reflections).join(', ')})`);
  return {
    crystal, hkl, dSpacingM: r.dSpacingM, cellVolumeM3: c.cellVolumeM3,
    energyEV: Float64Array.from(r.energyEV), fhRe: Float64Array.from(r.fhRe), fhIm: Float64Array.from(r.fhIm),
    fhRealPartAbs: Float64Array.from(r.fhRealPartAbs), fhImagPartAbs: Float64Array.from(r.fhImagPartAbs),
    f0Re: Float64Array.from(r.f0Re), f0Im: Float64Array.from(r.f0Im),
  };
}

/** Lowest photon energy [eV] a reflection reaches (θ_B = 90°): hc / 2d. */
export function minimumEnergyEV(r: Reflection): number {
  return HC_EVM / (2 * r.dSpacingM);
}

/** Bragg angle θ_B [rad] at photon energy E [eV] (kinematic, without the refraction shift). */
export function braggAngleRad(r: Reflection, energyEV: number): number {
  const s = HC_EVM / energyEV / (2 * r.dSpacingM);
  if (!(s < 1)) {
    throw new OpticsError(`${r.crystal}(${r.hkl}) cannot reflect ${(energyEV / 1e3).toFixed(3)} keV: below its minimum ${(minimumEnergyEV(r) / 1e3).toFixed(3)} keV (θ_B = 90°)`);
  }
  return Math.asin(s);
}

function interp(x: Float64Array, y: Float64Array, xi: number): number {
  const n = x.length;
  if (xi <= x[0]) return y[0];
  if (xi >= x[n - 1]) return y[n - 1];
  const { lo, hi, t } = logBracket(x, xi);
  return y[lo] + (y[hi] - y[lo]) * t;
}

/** |F_h| and Re F_0 [electrons per cell] at photon energy E (Debye–Waller included). */
export function structureFactors(r: Reflection, energyEV: number): { fh: number; fhReal: number; fhImag: number; f0Re: number; f0Im: number } {
  const e = r.energyEV;
  if (energyEV < e[0] * 0.999 || energyEV > e[e.length - 1] * 1.001) {
    throw new OpticsError(`${r.crystal}(${r.hkl}): structure factors are tabulated from ${e[0].toFixed(0)} eV to ${e[e.length - 1].toFixed(0)} eV, not at ${energyEV} eV`);
  }
  const re = interp(e, r.fhRe, energyEV);
  const im = interp(e, r.fhIm, energyEV);
  return {
    fh: Math.hypot(re, im), fhReal: interp(e, r.fhRealPartAbs, energyEV), fhImag: interp(e, r.fhImagPartAbs, energyEV),
    f0Re: interp(e, r.f0Re, energyEV), f0Im: Math.abs(interp(e, r.f0Im, energyEV)),
  };
}

export interface DarwinResult {
  braggAngleRad: number;
  /** Total-reflection width ω_D [rad]. */
  totalReflectionWidthRad: number;
  /** FWHM of the Darwin curve [rad]. */
  fwhmRad: number;
  /** Relative bandwidth ΔE/E of the Darwin FWHM. */
  relativeBandwidth: number;
  /** Refraction shift of the reflection centre [rad]. */
  refractionShiftRad: number;
}

/** Darwin width and bandwidth of a symmetric Bragg reflection (see the header). */
export function darwin(r: Reflection, energyEV: number, pol: 's' | 'p' = 's'): DarwinResult {
  const theta = braggAngleRad(r, energyEV);
  const lam = HC_EVM / energyEV;
  const { fh, f0Re } = structureFactors(r, energyEV);
  const c = pol === 's' ? 1 : Math.abs(Math.cos(2 * theta));
  const k = (R_ELECTRON * lam * lam) / (Math.PI * r.cellVolumeM3 * Math.sin(2 * theta));
  const omega = 2 * c * k * fh;
  const fwhm = (3 / (2 * Math.SQRT2)) * omega;
  return {
    braggAngleRad: theta,
    totalReflectionWidthRad: omega,
    fwhmRad: fwhm,
    relativeBandwidth: fwhm / Math.tan(theta),
    refractionShiftRad: k * f0Re,
  };
}

/**
 * The Darwin curve of a thick non-absorbing crystal against the reduced deviation x (|x| ≤ 1 is
 * total reflection, x in units of half the total-reflection width ω_D):
 *   R(x) = 1 for |x| ≤ 1,   R(x) = (|x| − √(x² − 1))² otherwise
 * (Als-Nielsen & McMorrow eq. 6.25). Its integrals, with x = cosh t:
 *   ∫R dx = 2 + 2∫e^{−2t} sinh t dt = 8/3,   ∫R² dx = 2 + 2∫e^{−4t} sinh t dt = 32/15,
 * so a single crystal passes (4/3) ω_D of a smooth spectrum per ray and a (+,−) pair (16/15) ω_D —
 * within 0.6 % of the FWHM (3/2√2) ω_D for the pair.
 */
export function darwinCurve(x: number): number {
  const a = Math.abs(x);
  return a <= 1 ? 1 : (a - Math.sqrt(a * a - 1)) ** 2;
}

/**
 * Relative band ∫R^n dθ / tan θ_B that n identical crystals in the non-dispersive setting pass of a
 * smooth spectrum, per ray (n = 1: 4/3 ω_D; n = 2: 16/15 ω_D; no absorption — the chain multiplies
 * by an assumed peak reflectivity per crystal for that).
 */
export function passedBandwidth(r: Reflection, energyEV: number, crystals: number): number {
  const d = darwin(r, energyEV);
  const half = d.totalReflectionWidthRad / 2;
  let integral: number;
  if (crystals === 1) integral = (8 / 3) * half;
  else if (crystals === 2) integral = (32 / 15) * half;
  else {
    // ∫R^n dx = 2 + 2∫_0^∞ e^{−2nt} sinh t dt = 2 + 2·½(1/(2n−1) − 1/(2n+1))
    integral = (2 + 1 / (2 * crystals - 1) - 1 / (2 * crystals + 1)) * half;
  }
  return integral / Math.tan(d.braggAngleRad);
}

/**
 * Reflectivity of a thick, absorbing crystal (the Darwin–Prins curve), symmetric Bragg case
 * (Authier, Dynamical Theory of X-ray Diffraction (2001) §4.7, b = −1; Als-Nielsen & McMorrow §6.4):
 *   χ0 = −K F0′ + i K F0″,   χh = −K F_h′ + i K F_h″,   K = r_e λ² / (π V)
 *   η = −(Δθ sin 2θ_B + χ0) / (|C| χh),   R = min |η ± √(η² − 1)|²
 * with F′ and F″ the structure factors of the real and imaginary parts of the atomic scattering
 * factor (centrosymmetric crystal: χh = χh̄). Without absorption (F″ = 0) this is `darwinCurve`.
 * `integratedReflectivity` integrates R^n over Δθ (n crystals in the non-dispersive setting) on
 * the reduced deviation x ∈ [−X, X] (Δθ = ω_D x / 2 around the refraction-shifted centre) with the
 * R ≈ 1/(4x²) tails beyond X added in closed form.
 */
export interface AbsorbingCrystal {
  /** K F0′, K F0″, K F_h′, K F_h″ (dimensionless), sin 2θ_B, |C|. */
  k0r: number;
  k0i: number;
  khr: number;
  khi: number;
  sin2t: number;
  c: number;
}

export function absorbingCrystal(r: Reflection, energyEV: number, pol: 's' | 'p' = 's'): AbsorbingCrystal {
  const theta = braggAngleRad(r, energyEV);
  const lam = HC_EVM / energyEV;
  const f = structureFactors(r, energyEV);
  const k = (R_ELECTRON * lam * lam) / (Math.PI * r.cellVolumeM3);
  return { k0r: k * f.f0Re, k0i: k * f.f0Im, khr: k * f.fhReal, khi: k * f.fhImag, sin2t: Math.sin(2 * theta), c: pol === 's' ? 1 : Math.abs(Math.cos(2 * theta)) };
}

/** R at deviation Δθ [rad] from the kinematic Bragg angle (see above). */
export function absorbingReflectivity(a: AbsorbingCrystal, deltaThetaRad: number): number {
  // numerator −(Δθ sin2θ + χ0), χ0 = (−k0r, +k0i)
  const nr = -(deltaThetaRad * a.sin2t - a.k0r);
  const ni = -a.k0i;
  // denominator |C| χh, χh = (−khr, +khi)
  const dr = -a.c * a.khr;
  const di = a.c * a.khi;
  const dd = dr * dr + di * di;
  const er = (nr * dr + ni * di) / dd;
  const ei = (ni * dr - nr * di) / dd;
  // s = √(η² − 1)
  const ar = er * er - ei * ei - 1;
  const ai = 2 * er * ei;
  const m = Math.hypot(ar, ai);
  const sr = Math.sqrt(Math.max(0, (m + ar) / 2));
  const si = (ai >= 0 ? 1 : -1) * Math.sqrt(Math.max(0, (m - ar) / 2));
  const r1 = (er - sr) ** 2 + (ei - si) ** 2;
  const r2 = (er + sr) ** 2 + (ei + si) ** 2;
  return Math.min(r1, r2);
}

/** Centre (refraction-shifted) [rad] and half total-reflection width [rad] of the curve. */
function curveScale(a: AbsorbingCrystal): { centre: number; half: number } {
  return { centre: a.k0r / a.sin2t, half: (a.c * Math.hypot(a.khr, a.khi)) / a.sin2t };
}

/** Peak reflectivity of one crystal (maximum of the Darwin–Prins curve). */
export function peakReflectivity(r: Reflection, energyEV: number, pol: 's' | 'p' = 's'): number {
  const a = absorbingCrystal(r, energyEV, pol);
  const { centre, half } = curveScale(a);
  let best = 0;
  for (let i = -200; i <= 200; i++) best = Math.max(best, absorbingReflectivity(a, centre + (half * i) / 100));
  return best;
}

/** ∫R^n dθ [rad] of n identical crystals (non-dispersive), absorption included. */
export function integratedReflectivity(r: Reflection, energyEV: number, crystals: number, pol: 's' | 'p' = 's'): number {
  const a = absorbingCrystal(r, energyEV, pol);
  const { centre, half } = curveScale(a);
  const X = 60;
  const nodes = 6000;
  const h = (2 * X) / nodes;
  let sum = 0;
  for (let i = 0; i < nodes; i++) {
    const x = -X + (i + 0.5) * h;
    sum += absorbingReflectivity(a, centre + half * x) ** crystals;
  }
  // tails |x| > X: R ≈ 1/(4x²) ⇒ ∫ R^n = 2 / ((2n − 1) 4^n X^(2n−1))
  const tails = 2 / ((2 * crystals - 1) * 4 ** crystals * X ** (2 * crystals - 1));
  return (sum * h + tails) * half;
}

/**
 * Energy resolution ΔE/E of a (+,−) double-crystal monochromator: the Darwin bandwidth and the
 * angular spread Δθ [rad, FWHM] of the beam on the crystals, in quadrature
 * (ΔE/E = √(w² + Δθ²) / tan θ_B; DuMond analysis of the non-dispersive setting).
 */
export function dcmResolution(r: Reflection, energyEV: number, divergenceFwhmRad: number): number {
  const d = darwin(r, energyEV);
  return Math.hypot(d.fwhmRad, divergenceFwhmRad) / Math.tan(d.braggAngleRad);
}
