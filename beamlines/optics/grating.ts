/**
 * Plane-grating monochromators (PGM) for soft X-rays: grating equation at fixed c_ff, grazing
 * angles, efficiency and resolving power.
 *
 * Conventions (Peatman, Gratings, Mirrors and Slits (1997) ch. 3; X-ray Data Booklet §4.3):
 * angles α (incidence) and β (diffraction) from the grating normal, of opposite sides when β < 0;
 *   grating equation   sin α + sin β = m N λ      (N lines per metre, m the order; m > 0 inside order)
 *   fixed focus        c_ff = cos β / cos α       (the SX-700 / collimated-PGM operating rule)
 * Resolution: the source (or entrance slit) of FWHM size s at distance r1 from the dispersing
 * element and the exit slit w at r2 give (Peatman eq. 3.19–3.21; the collimated PGM uses its
 * collimating and focusing mirror distances for r1 and r2):
 *   Δλ_source = s cos α / (m N r1),   Δλ_slit = w cos β / (m N r2),
 *   Δλ_slope  = 2.355 σ_s (cos α + cos β) / (m N)   (grating slope error σ_s rms),
 * added in quadrature; resolving power R = λ / Δλ.
 * Efficiency: a groove efficiency of the profile (an assumption per grating: ≈ 0.1–0.2 for a
 * laminar grating, 0.3–0.5 for a blazed one in its order) times the coating reflectivity at the
 * geometric mean of the incidence and diffraction grazing angles, √(R(π/2 − α) R(π/2 + β)).
 * A plane pre-mirror (SX-700 type, fixed exit) reflects at the grazing angle (θ_in + θ_out)/2 —
 * half the grating's deviation — in the same coating; its reflectivity is part of the efficiency.
 * Photons passing the exit slit: spectral flux × (Δλ_slit/λ) × efficiency (the slit passes a band
 * Δλ_slit of a smooth spectrum whatever the image size).
 */
import { HC_EVM } from '../devices/undulator.ts';
import { OpticsError } from './errors.ts';
import { mirrorReflectivity } from './mirror.ts';

export interface GratingSpec {
  name: string;
  /** Line density N [lines/m] at the grating centre. */
  lineDensityPerM: number;
  order: number;
  cff: number;
  coatings: string[];
  grooveEfficiency: number;
  slopeErrorRad: number;
  /** Distance r1 [m] from the source (or entrance slit) to the dispersing element (effective, for a collimated PGM). */
  sourceDistanceM: number;
  /** Exit-slit width [m] and distance r2 [m] from the dispersing element (or its focusing mirror) to the slit. */
  exitSlitM: number;
  exitArmM: number;
  /** A plane pre-mirror ahead of the grating (SX-700 type): one more reflection at the mean grazing angle. */
  premirror: boolean;
}

export interface PgmAngles {
  alphaRad: number;
  betaRad: number;
  /** Grazing angles of incidence and diffraction [rad]. */
  incidenceGrazingRad: number;
  diffractionGrazingRad: number;
}

/** α, β at wavelength λ for order m, N lines/m and c_ff (see the header); an error if unreachable. */
export function pgmAngles(lineDensityPerM: number, order: number, cff: number, energyEV: number, name = 'grating'): PgmAngles {
  if (!(cff > 0 && cff !== 1)) throw new OpticsError(`${name}: c_ff must be > 0 and ≠ 1, got ${cff}`);
  if (!Number.isInteger(order) || order === 0) throw new OpticsError(`${name}: diffraction order must be a non-zero integer, got ${order}`);
  const a = order * lineDensityPerM * (HC_EVM / energyEV);
  // sin β = a − sin α and cos²β = c² cos²α  ⇒  (1 − c²) s² − 2 a s + (a² − 1 + c²) = 0, s = sin α
  const c2 = cff * cff;
  const A = 1 - c2;
  const B = -2 * a;
  const C = a * a - 1 + c2;
  const disc = B * B - 4 * A * C;
  if (disc >= 0) {
    for (const s of [(-B + Math.sqrt(disc)) / (2 * A), (-B - Math.sqrt(disc)) / (2 * A)]) {
      if (!(s > 0 && s < 1)) continue;
      const sb = a - s;
      if (Math.abs(sb) >= 1) continue;
      const alpha = Math.asin(s);
      const beta = Math.asin(sb);
      if (Math.abs(Math.cos(beta) / Math.cos(alpha) - cff) > 1e-9 * cff) continue;
      if (!(alpha - beta > 0)) continue;
      return { alphaRad: alpha, betaRad: beta, incidenceGrazingRad: Math.PI / 2 - alpha, diffractionGrazingRad: Math.PI / 2 + beta };
    }
  }
  throw new OpticsError(`${name}: no geometry at ${energyEV} eV with N = ${lineDensityPerM / 1e3} lines/mm, order ${order}, c_ff = ${cff}`);
}

export interface GratingResult extends PgmAngles {
  efficiency: number;
  coating: string;
  /** Relative band passed by the exit slit, Δλ_slit/λ. */
  slitBandwidth: number;
  /** Resolving power λ/Δλ (source, slit and slope error in quadrature). */
  resolvingPower: number;
  /** The three contributions to Δλ/λ. */
  contributions: { source: number; slit: number; slope: number };
}

/**
 * The grating at photon energy E for a source of FWHM size `sourceFwhmM` (vertical, the
 * dispersion plane). Throws (via the coating) if a grazing angle is above the critical angle.
 */
export function gratingAt(g: GratingSpec, energyEV: number, sourceFwhmM: number): GratingResult {
  const ang = pgmAngles(g.lineDensityPerM, g.order, g.cff, energyEV, g.name);
  const lam = HC_EVM / energyEV;
  const mN = Math.abs(g.order) * g.lineDensityPerM;
  const rIn = mirrorReflectivity({ name: `${g.name} (incidence)`, coatings: g.coatings, grazingAngleRad: ang.incidenceGrazingRad, slopeErrorRad: 0, roughnessM: 0 }, energyEV);
  const rOut = mirrorReflectivity({ name: `${g.name} (diffraction)`, coatings: [rIn.coating], grazingAngleRad: ang.diffractionGrazingRad, slopeErrorRad: 0, roughnessM: 0 }, energyEV);
  const pm = g.premirror
    ? mirrorReflectivity({ name: `${g.name} (pre-mirror)`, coatings: [rIn.coating], grazingAngleRad: (ang.incidenceGrazingRad + ang.diffractionGrazingRad) / 2, slopeErrorRad: 0, roughnessM: 0 }, energyEV).reflectivity
    : 1;
  const source = (sourceFwhmM * Math.cos(ang.alphaRad)) / (mN * g.sourceDistanceM) / lam;
  const slit = (g.exitSlitM * Math.cos(ang.betaRad)) / (mN * g.exitArmM) / lam;
  const slope = (2.355 * g.slopeErrorRad * (Math.cos(ang.alphaRad) + Math.cos(ang.betaRad))) / mN / lam;
  return {
    ...ang,
    efficiency: g.grooveEfficiency * Math.sqrt(rIn.reflectivity * rOut.reflectivity) * pm,
    coating: rIn.coating,
    slitBandwidth: slit,
    resolvingPower: 1 / Math.hypot(source, slit, slope),
    contributions: { source, slit, slope },
  };
}
