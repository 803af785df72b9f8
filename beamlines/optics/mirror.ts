/**
 * Grazing-incidence mirrors: Fresnel reflectivity of a thick coating from its optical constants,
 * the critical angle, roughness and slope error.
 *
 * Conventions: grazing angle θ from the surface [rad]; n = 1 − δ + iβ; s-polarisation = electric
 * field parallel to the surface (the usual case for a horizontally polarised source on a
 * vertically deflecting mirror). Fresnel amplitude for a plane interface vacuum → medium
 * (Born & Wolf §1.5; X-ray Data Booklet §4.1; Als-Nielsen & McMorrow 2nd ed. §3.4):
 *   k_z = sin θ,  k_z′ = √(n² − cos² θ),
 *   r_s = (k_z − k_z′)/(k_z + k_z′),   r_p = (n² k_z − k_z′)/(n² k_z + k_z′),   R = |r|².
 * Critical angle θc = √(2δ) = λ √(r_e ρ_e / π) (ρ_e the electron density; Als-Nielsen eq. 3.20).
 * Roughness σ [m, rms] multiplies R by the Debye–Waller factor exp(−(4π σ sin θ / λ)²)
 * (Névot–Croce without the refraction correction; an upper bound on the loss).
 * Slope error σ_s [rad, rms] deflects the reflected ray by 2σ_s: it does not remove photons, it
 * spreads them (see `slopeErrorBlurRad`); the chain turns it into a loss of flux density at the spot.
 */
import { R_ELECTRON } from '../../sim/constants.ts';
import { HC_EVM } from '../devices/undulator.ts';
import { OpticsError } from './errors.ts';
import { betaOf, deltaOf, material, type Material } from './materials/index.ts';

export type Polarisation = 's' | 'p';

/** |r|² of a thick coating of constants δ, β at grazing angle θ (see the header). */
export function fresnelReflectivity(delta: number, beta: number, grazingRad: number, pol: Polarisation = 's'): number {
  const s = Math.sin(grazingRad);
  const c2 = 1 - s * s;
  // n² = (1 − δ)² − β² + 2iβ(1 − δ)
  const n2re = (1 - delta) * (1 - delta) - beta * beta;
  const n2im = 2 * beta * (1 - delta);
  // k_z′ = √(n² − cos²θ), principal branch (Im ≥ 0 for an absorbing medium)
  const are = n2re - c2;
  const aim = n2im;
  const mod = Math.hypot(are, aim);
  let kre = Math.sqrt(Math.max(0, (mod + are) / 2));
  let kim = Math.sqrt(Math.max(0, (mod - are) / 2));
  if (aim < 0) kim = -kim;
  if (kre < 0) { kre = -kre; kim = -kim; }
  let nre: number, nim: number, dre: number, dim: number;
  if (pol === 's') {
    nre = s - kre; nim = -kim; dre = s + kre; dim = kim;
  } else {
    const ure = n2re * s;
    const uim = n2im * s;
    nre = ure - kre; nim = uim - kim; dre = ure + kre; dim = uim + kim;
  }
  return (nre * nre + nim * nim) / (dre * dre + dim * dim);
}

/** Critical angle √(2δ) [rad] of a material at photon energy E [eV]. */
export function criticalAngleRad(m: Material, energyEV: number): number {
  return Math.sqrt(2 * deltaOf(m, energyEV));
}

/** θc = λ √(r_e ρ_e / π) [rad] from the electron density ρ_e [m⁻³] (free-electron limit). */
export function criticalAngleFromElectronDensity(electronDensityPerM3: number, energyEV: number): number {
  return (HC_EVM / energyEV) * Math.sqrt((R_ELECTRON * electronDensityPerM3) / Math.PI);
}

/** Debye–Waller roughness factor exp(−(4π σ sin θ / λ)²). */
export function roughnessFactor(roughnessM: number, grazingRad: number, energyEV: number): number {
  const q = (4 * Math.PI * roughnessM * Math.sin(grazingRad) * energyEV) / HC_EVM;
  return Math.exp(-q * q);
}

/** A mirror as the chain describes it. `coatings`: stripes; the best one is used at each energy. */
export interface MirrorSpec {
  name: string;
  coatings: string[];
  grazingAngleRad: number;
  slopeErrorRad: number;
  roughnessM: number;
  polarisation?: Polarisation;
}

export interface MirrorResult {
  coating: string;
  reflectivity: number;
  criticalAngleRad: number;
}

/** Reflectivity of one stripe; an error when the mirror is above the stripe's critical angle. */
export function stripeReflectivity(spec: MirrorSpec, coating: string, energyEV: number): MirrorResult {
  const m = material(coating);
  const thetaC = criticalAngleRad(m, energyEV);
  const r = fresnelReflectivity(deltaOf(m, energyEV), betaOf(m, energyEV), spec.grazingAngleRad, spec.polarisation ?? 's')
    * roughnessFactor(spec.roughnessM, spec.grazingAngleRad, energyEV);
  return { coating, reflectivity: r, criticalAngleRad: thetaC };
}

/**
 * Reflectivity of a mirror at photon energy E: the best of its coating stripes that is below its
 * critical angle. Throws an OpticsError naming the mirror when every stripe is above it (that
 * would be silent near-zero flux, not a beamline setting).
 */
export function mirrorReflectivity(spec: MirrorSpec, energyEV: number): MirrorResult {
  if (spec.coatings.length === 0) throw new OpticsError(`mirror ${spec.name}: no coating`);
  let best: MirrorResult | undefined;
  let bestAny: MirrorResult | undefined;
  for (const c of spec.coatings) {
    const r = stripeReflectivity(spec, c, energyEV);
    if (!bestAny || r.criticalAngleRad > bestAny.criticalAngleRad) bestAny = r;
    if (spec.grazingAngleRad < r.criticalAngleRad && (!best || r.reflectivity > best.reflectivity)) best = r;
  }
  if (!best) {
    const b = bestAny!;
    throw new OpticsError(
      `mirror ${spec.name} (${spec.coatings.join('/')}) at ${(spec.grazingAngleRad * 1e3).toFixed(2)} mrad is above its critical angle ` +
      `at ${(energyEV / 1e3).toFixed(3)} keV (θc = ${(b.criticalAngleRad * 1e3).toFixed(2)} mrad for ${b.coating}, R = ${b.reflectivity.toExponential(1)}): ` +
      `lower the grazing angle or use a denser coating`,
    );
  }
  return best;
}

/** Angular blur [rad, rms] of the reflected beam from a slope error σ_s: 2σ_s. */
export function slopeErrorBlurRad(slopeErrorRad: number): number {
  return 2 * slopeErrorRad;
}
