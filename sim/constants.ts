/**
 * Physical constants, one place (CODATA 2018, as scipy.constants — the values pyAT uses, so that
 * numbers compared with pyAT's reference files agree to rounding).
 */

/** Speed of light in vacuum [m/s] (exact). */
export const C_LIGHT = 299_792_458;
/** Elementary charge [C] (exact). */
export const E_CHARGE = 1.602176634e-19;
/** Electron rest energy [eV] (CODATA 2018: 0.51099895000 MeV). */
export const ELECTRON_MASS_EV = 510_998.95;
/** Proton rest energy [eV] (CODATA 2018). */
export const PROTON_MASS_EV = 938_272_088.16;
/** Classical electron radius [m] (CODATA 2018). */
export const R_ELECTRON = 2.8179403262e-15;
/** Reduced Planck constant times c [eV m] (ħ = 6.582119569e-16 eV s). */
export const HBAR_C_EVM = 6.582119569e-16 * C_LIGHT;
/** Planck constant [eV s]. */
export const H_PLANCK_EVS = 4.135667696e-15;
/** Fine-structure constant. */
export const ALPHA_FINE = 7.2973525693e-3;
/** Vacuum permittivity [F/m]. */
export const EPSILON_0 = 8.8541878128e-12;
/** Avogadro constant [1/mol]. */
export const N_AVOGADRO = 6.02214076e23;
/** Boltzmann constant [J/K]. */
export const K_BOLTZMANN = 1.380649e-23;

/**
 * Quantum constant of the equilibrium emittance, Cq = 55 ħc / (32 √3 m_e c²) [m]
 * (Sands, SLAC-121, eq. 5.40). pyAT's value: 3.831938640038657e-13 m.
 */
export const CQ_M = (55 * HBAR_C_EVM) / (32 * Math.sqrt(3) * ELECTRON_MASS_EV);

/**
 * Radiation constant of the energy loss, Cγ = 4π r_e / (3 (m_e c²)³) [m/eV³]
 * (Sands eq. 4.6; U0 = Cγ/(2π) E⁴ I2). pyAT's value: 8.846273822420375e-32 m/eV³.
 */
export const CGAMMA_M_PER_EV3 = (4 * Math.PI * R_ELECTRON) / (3 * ELECTRON_MASS_EV ** 3);

export type Particle = 'electron' | 'positron' | 'proton';

/** Rest energy [eV] of a particle species. */
export function restEnergyEV(particle: Particle): number {
  return particle === 'proton' ? PROTON_MASS_EV : ELECTRON_MASS_EV;
}

/** Magnetic rigidity Bρ [T m] of a particle of total energy energyEV. */
export function rigidityTm(energyEV: number, particle: Particle = 'electron'): number {
  const m = restEnergyEV(particle);
  const pc = Math.sqrt(energyEV * energyEV - m * m); // [eV]
  return pc / C_LIGHT;
}
