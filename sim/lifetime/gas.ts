/**
 * Residual-gas scattering lifetime: elastic (Coulomb) scattering onto the transverse apertures and
 * bremsstrahlung outside the momentum acceptance.
 *
 * Elastic: small-angle Rutherford scattering on the nucleus, dσ/dΩ = 4 Z² r_e² / (γ² θ⁴). A particle
 * scattered at s by an angle whose projection on a plane exceeds √(A/β(s)) (A = the plane's
 * acceptance, the smallest a²/β around the ring) is lost; integrating over azimuth gives
 * σ = 2π r_e² Z² β(s) / (γ² A) per plane, averaged over s (A. Wrulich, "Single-beam lifetime",
 * CAS 1992, CERN 94-01, eq. 12; H. Wiedemann, "Particle Accelerator Physics", 4th ed., eq. 22.8).
 * Electron (atomic) scattering and screening are neglected (θ_min of screening ≪ √(A/β)).
 *
 * Bremsstrahlung: with complete screening, dσ/dk = (A / (N_A X0 k)) (4/3 − 4y/3 + y²) (PDG "Passage of
 * particles through matter", eq. 34.29), integrated over the photon energy fraction y from δ_acc to 1:
 * σ = (A/(N_A X0)) [ (4/3) ln(1/δ) − (4/3)(1 − δ) + (1 − δ²)/2 ].
 * A/(N_A X0) per atom from Tsai's radiation length (PDG eq. 34.26):
 * A/(N_A X0) = 4 α r_e² { Z² [L_rad − f(Z)] + Z L'_rad }.
 *
 * Gas density from the ideal gas law n = P / (k T); cross-sections are summed over the atoms of each
 * molecule and weighted by the partial-pressure fractions of the composition.
 */
import { ALPHA_FINE, C_LIGHT, ELECTRON_MASS_EV, K_BOLTZMANN, R_ELECTRON } from '../constants.ts';
import { LifetimeInputError } from './touschek.ts';

/** Atoms of each gas species: [Z, count]. */
export const GAS_SPECIES: Readonly<Record<string, ReadonlyArray<readonly [number, number]>>> = {
  H2: [[1, 2]],
  He: [[2, 1]],
  CH4: [[6, 1], [1, 4]],
  H2O: [[8, 1], [1, 2]],
  CO: [[6, 1], [8, 1]],
  N2: [[7, 2]],
  O2: [[8, 2]],
  Ar: [[18, 1]],
  CO2: [[6, 1], [8, 2]],
};

// Tsai's L_rad, L'_rad for Z ≤ 4 (PDG table 34.2); ln(184.15 Z^{-1/3}), ln(1194 Z^{-2/3}) above.
const LRAD_LOW: Record<number, [number, number]> = { 1: [5.31, 6.144], 2: [4.79, 5.621], 3: [4.74, 5.805], 4: [4.71, 5.924] };

/** A/(N_A X0) [m²] per atom of atomic number Z (Tsai, PDG eq. 34.26). */
export function radiationCrossSectionM2(Z: number): number {
  const [lrad, lradp] = LRAD_LOW[Z] ?? [Math.log(184.15 * Math.pow(Z, -1 / 3)), Math.log(1194 * Math.pow(Z, -2 / 3))];
  const a2 = (ALPHA_FINE * Z) ** 2;
  const f = a2 * (1 / (1 + a2) + 0.20206 - 0.0369 * a2 + 0.0083 * a2 * a2 - 0.002 * a2 * a2 * a2);
  return 4 * ALPHA_FINE * R_ELECTRON * R_ELECTRON * (Z * Z * (lrad - f) + Z * lradp);
}

export interface GasInput {
  /** Average total pressure [Pa] (may include the beam-induced part). */
  pressurePa: number;
  temperatureK: number;
  /** Partial-pressure fractions by species (keys of GAS_SPECIES); normalised here. */
  composition: Record<string, number>;
  /** Ring averages of βx and βy [m]. */
  betaXAvgM: number;
  betaYAvgM: number;
  /** Transverse acceptances min(a²/β) [m rad] (physical aperture or dynamic aperture, whichever is smaller). */
  acceptanceXM: number;
  acceptanceYM: number;
  /** Momentum acceptance for bremsstrahlung (energy loss side), ring-averaged |δ−|. */
  momentumAcceptance: number;
  energyEV: number;
}

export interface GasResult {
  elasticS: number;
  bremsstrahlungS: number;
  totalS: number;
  /** Molecular density [1/m³]. */
  densityM3: number;
}

export function validateGasInput(g: GasInput): void {
  if (!(g.pressurePa >= 0 && Number.isFinite(g.pressurePa)))
    throw new LifetimeInputError('pressurePa', `must be ≥ 0 Pa (got ${g.pressurePa}): a pressure cannot be negative`);
  for (const k of ['temperatureK', 'betaXAvgM', 'betaYAvgM', 'acceptanceXM', 'acceptanceYM', 'energyEV'] as const)
    if (!(g[k] > 0 && Number.isFinite(g[k]))) throw new LifetimeInputError(k, `must be a positive number (got ${g[k]})`);
  if (!(g.momentumAcceptance > 0 && g.momentumAcceptance < 1))
    throw new LifetimeInputError('momentumAcceptance', `must be in (0, 1) (got ${g.momentumAcceptance})`);
  let sum = 0;
  for (const [name, frac] of Object.entries(g.composition)) {
    if (!GAS_SPECIES[name]) throw new LifetimeInputError(`composition.${name}`, `unknown gas (known: ${Object.keys(GAS_SPECIES).join(', ')})`);
    if (!(frac >= 0)) throw new LifetimeInputError(`composition.${name}`, `fraction must be ≥ 0 (got ${frac})`);
    sum += frac;
  }
  if (!(sum > 0)) throw new LifetimeInputError('composition', 'needs at least one gas with a positive fraction');
}

/** Gas-scattering lifetimes (see the module comment). A zero pressure gives infinite lifetimes. */
export function gasLifetime(g: GasInput): GasResult {
  validateGasInput(g);
  const gamma = g.energyEV / ELECTRON_MASS_EV;
  const n = g.pressurePa / (K_BOLTZMANN * g.temperatureK);
  const total = Object.values(g.composition).reduce((a, b) => a + b, 0);
  const d = g.momentumAcceptance;
  const bremsY = (4 / 3) * Math.log(1 / d) - (4 / 3) * (1 - d) + (1 - d * d) / 2;
  const elasticGeom = (2 * Math.PI * R_ELECTRON * R_ELECTRON) / (gamma * gamma) * (g.betaXAvgM / g.acceptanceXM + g.betaYAvgM / g.acceptanceYM);
  let sigmaEl = 0;
  let sigmaBr = 0;
  for (const [name, frac] of Object.entries(g.composition)) {
    const w = frac / total;
    for (const [Z, count] of GAS_SPECIES[name]) {
      sigmaEl += w * count * Z * Z * elasticGeom;
      sigmaBr += w * count * radiationCrossSectionM2(Z) * bremsY;
    }
  }
  const rateEl = C_LIGHT * n * sigmaEl;
  const rateBr = C_LIGHT * n * sigmaBr;
  return {
    elasticS: rateEl > 0 ? 1 / rateEl : Infinity,
    bremsstrahlungS: rateBr > 0 ? 1 / rateBr : Infinity,
    totalS: rateEl + rateBr > 0 ? 1 / (rateEl + rateBr) : Infinity,
    densityM3: n,
  };
}
